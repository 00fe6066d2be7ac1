using System.Text.Json.Nodes;
using Quai.Cli.Api;
using Quai.Cli.Formatting;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>Tar streams in and out: `export`, `save`, `load`, `import`.</summary>
internal static class ArchiveCommands
{
    public static readonly Command Export = new("container export", "[OPTIONS] CONTAINER", "Export a container's filesystem as a tar archive",
        [Flag.Str("output", 'o', "Write to a file, instead of STDOUT")],
        (ctx, f) => DownloadAsync(ctx, f, $"/containers/{DockerClient.Esc(f.Args[0])}/export"))
    { Aliases = ["export"], MinArgs = 1, MaxArgs = 1 };

    public static readonly Command Save = new("image save", "[OPTIONS] IMAGE [IMAGE...]", "Save one or more images to a tar archive (streamed to STDOUT by default)",
        [
            Flag.Str("output", 'o', "Write to a file, instead of STDOUT"),
            Flag.List("platform", '\0', "Save only the given platform(s)"),
        ], (ctx, f) => DownloadAsync(ctx, f, "/images/get?" + string.Join('&', f.Args.Select(n => "names=" + DockerClient.Esc(n)))))
    { Aliases = ["save"], MinArgs = 1 };

    public static readonly Command Load = new("image load", "[OPTIONS]", "Load an image from a tar archive or STDIN",
        [
            Flag.Str("input", 'i', "Read from tar archive file, instead of STDIN"),
            Flag.Bool("quiet", 'q', "Suppress the load output"),
            Flag.List("platform", '\0', "Load only the given platform(s)"),
        ], async (ctx, f) =>
        {
            var input = f.Str("input");
            if (input is null && ctx.StdinIsTerminal)
            {
                throw new CliException("requested load from stdin, but stdin is empty");
            }
            await using var source = input is null ? ctx.StdIn : File.OpenRead(input);
            using var content = new StreamContent(source);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
            using var response = await ctx.Client.SendAsync(HttpMethod.Post, "/images/load" + Helpers.Query(("quiet", f.Bool("quiet") ? "1" : null)), content, streaming: true).ConfigureAwait(false);
            await using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            await new JsonMessageRenderer(ctx.Out, ctx.StdoutIsTerminal && !f.Bool("quiet")).RenderAsync(body).ConfigureAwait(false);
            return 0;
        })
    { Aliases = ["load"], MaxArgs = 0 };

    public static readonly Command Import = new("image import", "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]", "Import the contents from a tarball to create a filesystem image",
        [
            Flag.List("change", 'c', "Apply Dockerfile instruction to the created image"),
            Flag.Str("message", 'm', "Set commit message for imported image"),
            Flag.Str("platform", '\0', "Set platform if server is multi-platform capable"),
        ], async (ctx, f) =>
        {
            var source = f.Args[0];
            var repo = f.Args.Count > 1 ? ImageName.Parse(f.Args[1]) : (ImageName?)null;
            var query = "?fromSrc=" + DockerClient.Esc(source == "-" || File.Exists(source) ? "-" : source)
                + (repo is { } r ? "&repo=" + DockerClient.Esc(r.Name) + "&tag=" + DockerClient.Esc(r.Tag ?? "latest") : "")
                + (f.Str("message") is { } m ? "&message=" + DockerClient.Esc(m) : "")
                + (f.Str("platform") is { } p ? "&platform=" + DockerClient.Esc(p) : "")
                + string.Concat(f.List("change").Select(c => "&changes=" + DockerClient.Esc(c)));
            Stream? body = source == "-" ? ctx.StdIn : File.Exists(source) ? File.OpenRead(source) : null;
            await using var bodyDispose = body == ctx.StdIn ? null : body;
            using var content = body is null ? null : new StreamContent(body);
            using var response = await ctx.Client.SendAsync(HttpMethod.Post, "/images/create" + query, content, streaming: true).ConfigureAwait(false);
            await using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            await new JsonMessageRenderer(ctx.Out, ctx.StdoutIsTerminal).RenderAsync(stream).ConfigureAwait(false);
            return 0;
        })
    { Aliases = ["import"], MinArgs = 1, MaxArgs = 2 };

    private static async Task<int> DownloadAsync(CliContext ctx, ParsedArgs f, string path)
    {
        var output = f.Str("output");
        if (output is null && ctx.StdoutIsTerminal)
        {
            throw new CliException("cowardly refusing to save to a terminal. Use the -o flag or redirect");
        }
        using var response = await ctx.Client.SendAsync(HttpMethod.Get, path, streaming: true).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        if (output is null)
        {
            await body.CopyToAsync(ctx.StdOut).ConfigureAwait(false);
            await ctx.StdOut.FlushAsync().ConfigureAwait(false);
            return 0;
        }
        var tmp = output + ".quai-tmp";
        try
        {
            await using (var file = File.Create(tmp))
            {
                await body.CopyToAsync(file).ConfigureAwait(false);
            }
            File.Move(tmp, output, overwrite: true);
        }
        finally
        {
            File.Delete(tmp);
        }
        return 0;
    }

    /// <summary>For load's aux messages (unused: the daemon's stream already says "Loaded image: ...").</summary>
    internal static string? LoadedImage(JsonNode aux) => Helpers.S(aux, "ID");
}
