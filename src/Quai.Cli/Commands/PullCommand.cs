using Quai.Cli.Formatting;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`pull` / `image pull`: POST /images/create?fromImage=&amp;tag= with docker's progress output.</summary>
internal static class PullCommand
{
    public static readonly Command Definition = new("image pull", "[OPTIONS] NAME[:TAG|@DIGEST]", "Download an image from a registry",
        [
            Flag.Bool("all-tags", 'a', "Download all tagged images in the repository"),
            Flag.Str("platform", '\0', "Set platform if server is multi-platform capable"),
            Flag.Bool("quiet", 'q', "Suppress verbose output"),
            Flag.Bool("disable-content-trust", '\0', "Skip image verification (default true)"),
        ], RunAsync)
    { Aliases = ["pull"], MinArgs = 1, MaxArgs = 1 };

    private static async Task<int> RunAsync(CliContext ctx, ParsedArgs f)
    {
        var reference = f.Args[0];
        var name = ImageName.Parse(reference, defaultTag: !f.Bool("all-tags"));
        if (!f.Bool("all-tags") && name.Digest is null && !reference.Contains(':', StringComparison.Ordinal))
        {
            await ctx.Out.WriteLineAsync("Using default tag: latest").ConfigureAwait(false);
        }
        await PullAsync(ctx, name, f.Str("platform"), f.Bool("quiet"), ctx.Out).ConfigureAwait(false);
        if (f.Bool("quiet"))
        {
            await ctx.Out.WriteLineAsync(name.ToString()).ConfigureAwait(false);
        }
        else if (name.Registry == "docker.io" && !name.Name.StartsWith("docker.io/", StringComparison.Ordinal))
        {
            await ctx.Out.WriteLineAsync((name.Name.Contains('/', StringComparison.Ordinal) ? "docker.io/" : "docker.io/library/") + name).ConfigureAwait(false);
        }
        else
        {
            await ctx.Out.WriteLineAsync(name.ToString()).ConfigureAwait(false);
        }
        return 0;
    }

    /// <summary>Pulls <paramref name="name"/>, rendering the daemon's progress on <paramref name="output"/> unless quiet.</summary>
    public static async Task PullAsync(CliContext ctx, ImageName name, string? platform, bool quiet, TextWriter output)
    {
        var query = Helpers.Query(("fromImage", name.Name), ("tag", name.Digest ?? name.Tag), ("platform", platform));
        using var response = await ctx.Client.SendAsync(HttpMethod.Post, "/images/create" + query, streaming: true,
            headers: [new("X-Registry-Auth", AuthConfig.Header(ctx.ConfigDir, name.Registry))]).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        var renderer = new JsonMessageRenderer(quiet ? TextWriter.Null : output, !quiet && output == ctx.Out ? ctx.StdoutIsTerminal : Terminal.RawTerminal.IsTerminal(2),
            Terminal.RawTerminal.Size(1)?.Cols ?? 0);
        await renderer.RenderAsync(body).ConfigureAwait(false);
    }
}
