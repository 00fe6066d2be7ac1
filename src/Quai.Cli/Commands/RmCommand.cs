using Quai.Cli.Api;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`rm` / `container rm` (DELETE /containers/{id}?force=&amp;v=&amp;link=).</summary>
internal static class RmCommand
{
    public static readonly Command Definition = new("container rm", "[OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers",
        [
            Flag.Bool("force", 'f', "Force the removal of a running container (uses SIGKILL)"),
            Flag.Bool("link", 'l', "Remove the specified link"),
            Flag.Bool("volumes", 'v', "Remove anonymous volumes associated with the container"),
        ], RunAsync)
    { Aliases = ["container remove", "rm"], MinArgs = 1 };

    private static Task<int> RunAsync(CliContext ctx, ParsedArgs f)
    {
        var query = Helpers.Query(("force", f.Bool("force") ? "1" : null), ("link", f.Bool("link") ? "1" : null), ("v", f.Bool("volumes") ? "1" : null));
        return Helpers.ForEachAsync(ctx, f.Args, async c =>
        {
            var name = c.Trim('/');
            if (name.Length == 0)
            {
                throw new CliException("Error: Container name cannot be empty");
            }
            await ctx.Client.DeleteAsync($"/containers/{DockerClient.Esc(name)}{query}").ConfigureAwait(false);
            await ctx.Out.WriteLineAsync(c).ConfigureAwait(false);
        });
    }
}
