using System.Net;
using System.Text.Json.Nodes;
using Quai.Api.Models;
using Quai.Cli.Api;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`create` / `container create`, and the create step `run` shares (pull when the image is missing).</summary>
internal static class CreateCommand
{
    public static readonly Command Definition = new("container create", "[OPTIONS] IMAGE [COMMAND] [ARG...]", "Create a new container",
        ContainerFlags.Create, RunAsync)
    { Aliases = ["create"], MinArgs = 1, Interspersed = false };

    private static async Task<int> RunAsync(CliContext ctx, ParsedArgs f)
    {
        var id = await CreateAsync(ctx, f, detach: true, verb: "create").ConfigureAwait(false);
        await ctx.Out.WriteLineAsync(id).ConfigureAwait(false);
        return 0;
    }

    /// <summary>"quai: &lt;message&gt;\n\nRun 'quai VERB --help' ..." with exit 125 (docker's withHelp + StatusError).</summary>
    public static CliException Fail(string message, string verb, int code = 125) =>
        new($"{CliInfo.Program}: {message}\n\nRun '{CliInfo.Program} {verb} --help' for more information", code);

    /// <summary>Creates the container (pulling per --pull), prints warnings, writes --cidfile; returns the id.</summary>
    public static async Task<string> CreateAsync(CliContext ctx, ParsedArgs f, bool detach, string verb)
    {
        var image = f.Args[0];
        var cmd = f.Args.Skip(1).ToList();
        JsonObject body;
        try
        {
            body = ContainerConfigBuilder.Build(ctx, f, image, cmd, detach);
        }
        catch (CliException e) when (e.ExitCode == 125)
        {
            throw Fail(e.Message, verb);
        }
        var cidFile = f.Str("cidfile");
        if (cidFile is not null && File.Exists(cidFile))
        {
            throw Fail($"Container ID file found, make sure the other container isn't running or delete {cidFile}", verb);
        }
        var query = Helpers.Query(("name", f.Str("name")), ("platform", f.Str("platform")));
        var pull = f.Str("pull", "missing");
        if (pull is not ("always" or "missing" or "never"))
        {
            throw Fail($"invalid pull option: '{pull}': must be one of \"always\", \"missing\" or \"never\"", verb);
        }
        var name = ImageName.Parse(image);
        try
        {
            if (pull == "always")
            {
                await PullAsync(ctx, f, name).ConfigureAwait(false);
            }
            ContainerCreateResponse? created;
            try
            {
                created = await PostCreateAsync(ctx, query, body).ConfigureAwait(false);
            }
            catch (DockerApiException e) when (e.Status == HttpStatusCode.NotFound && pull == "missing" && e.Message.Contains("image", StringComparison.OrdinalIgnoreCase))
            {
                await ctx.Err.WriteLineAsync($"Unable to find image '{name}' locally").ConfigureAwait(false);
                await PullAsync(ctx, f, name).ConfigureAwait(false);
                created = await PostCreateAsync(ctx, query, body).ConfigureAwait(false);
            }
            foreach (var w in created?.Warnings ?? [])
            {
                await ctx.Err.WriteLineAsync("WARNING: " + w).ConfigureAwait(false);
            }
            var id = created?.Id ?? throw Fail("the daemon answered the create without an Id", verb);
            if (cidFile is not null)
            {
                await File.WriteAllTextAsync(cidFile, id).ConfigureAwait(false);
            }
            return id;
        }
        catch (DockerApiException e)
        {
            throw Fail("Error response from daemon: " + e.Message, verb);
        }
        catch (Formatting.JsonMessageException e)
        {
            throw Fail(e.Message, verb);
        }
    }

    // The body stays a JsonObject built in docker's field order (ContainerConfigBuilder); the
    // answer is the API model.
    private static async Task<ContainerCreateResponse?> PostCreateAsync(CliContext ctx, string query, JsonObject body)
    {
        using var r = await ctx.Client.SendAsync(HttpMethod.Post, "/containers/create" + query, DockerClient.JsonContent(body)).ConfigureAwait(false);
        return await DockerClient.ReadAsync(r, ApiJsonContext.Default.ContainerCreateResponse).ConfigureAwait(false);
    }

    private static Task PullAsync(CliContext ctx, ParsedArgs f, ImageName name) =>
        PullCommand.PullAsync(ctx, name, f.Str("platform"), f.Bool("quiet"), ctx.Err);
}
