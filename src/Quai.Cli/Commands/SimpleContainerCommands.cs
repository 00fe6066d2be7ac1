using Quai.Cli.Api;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>Verbs that are one POST per container and print its name: kill, pause, unpause, start (detached), rename.</summary>
internal static class SimpleContainerCommands
{
    public static readonly Command Kill = new("container kill", "[OPTIONS] CONTAINER [CONTAINER...]", "Kill one or more running containers",
        [Flag.Str("signal", 's', "Signal to send to the container")],
        (ctx, f) => Each(ctx, f, c => $"/containers/{c}/kill" + Helpers.Query(("signal", f.Str("signal")))))
    { Aliases = ["kill"], MinArgs = 1 };

    public static readonly Command Pause = new("container pause", "CONTAINER [CONTAINER...]", "Pause all processes within one or more containers",
        [], (ctx, f) => Each(ctx, f, c => $"/containers/{c}/pause"))
    { Aliases = ["pause"], MinArgs = 1 };

    public static readonly Command Unpause = new("container unpause", "CONTAINER [CONTAINER...]", "Unpause all processes within one or more containers",
        [], (ctx, f) => Each(ctx, f, c => $"/containers/{c}/unpause"))
    { Aliases = ["unpause"], MinArgs = 1 };

    public static readonly Command Rename = new("container rename", "CONTAINER NEW_NAME", "Rename a container",
        [], async (ctx, f) =>
        {
            var newName = f.Args[1].Trim();
            if (newName.Length == 0)
            {
                throw new CliException("Error: Neither old nor new names may be empty");
            }
            await ctx.Client.PostJsonAsync($"/containers/{DockerClient.Esc(f.Args[0])}/rename" + Helpers.Query(("name", newName))).ConfigureAwait(false);
            return 0;
        })
    { Aliases = ["rename"], MinArgs = 2, MaxArgs = 2 };

    private static Task<int> Each(CliContext ctx, ParsedArgs f, Func<string, string> path) =>
        Helpers.ForEachAsync(ctx, f.Args, async c =>
        {
            await ctx.Client.PostJsonAsync(path(DockerClient.Esc(c))).ConfigureAwait(false);
            await ctx.Out.WriteLineAsync(c).ConfigureAwait(false);
        });
}
