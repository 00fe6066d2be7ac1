using System.Text.Json.Nodes;
using Quai.Cli.Api;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`commit`: POST /commit?container=&amp;repo=&amp;tag=&amp;comment=&amp;author=&amp;changes=&amp;pause=.</summary>
internal static class CommitCommand
{
    public static readonly Command Definition = new("container commit", "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]", "Create a new image from a container's changes",
        [
            Flag.Str("author", 'a', "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")"),
            Flag.List("change", 'c', "Apply Dockerfile instruction to the created image"),
            Flag.Str("message", 'm', "Commit message"),
            Flag.Bool("pause", 'p', "Pause container during commit (default true)"),
        ], async (ctx, f) =>
        {
            var repo = f.Args.Count > 1 ? ImageName.Parse(f.Args[1]) : (ImageName?)null;
            var pause = !f.Has("pause") || f.Bool("pause");
            var query = "?container=" + DockerClient.Esc(f.Args[0])
                + (repo is { } r ? "&repo=" + DockerClient.Esc(r.Name) + "&tag=" + DockerClient.Esc(r.Tag ?? "latest") : "")
                + (f.Str("message") is { } m ? "&comment=" + DockerClient.Esc(m) : "")
                + (f.Str("author") is { } a ? "&author=" + DockerClient.Esc(a) : "")
                + string.Concat(f.List("change").Select(c => "&changes=" + DockerClient.Esc(c)))
                + (pause ? "" : "&pause=0");
            var result = await ctx.Client.PostJsonAsync("/commit" + query, new JsonObject()).ConfigureAwait(false);
            await ctx.Out.WriteLineAsync(Helpers.S(result, "Id")).ConfigureAwait(false);
            return 0;
        })
    { Aliases = ["commit"], MinArgs = 1, MaxArgs = 2 };
}
