using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`stop` and `restart` (POST /containers/{id}/stop|restart?t=&amp;signal=).</summary>
internal static class StopCommand
{
    private static readonly Flag[] Flags =
    [
        Flag.Str("signal", 's', "Signal to send to the container"),
        Flag.Str("timeout", 't', "Seconds to wait before killing the container", "int"),
        Flag.Str("time", '\0', "Seconds to wait before killing the container (deprecated: use --timeout)", "int"),
    ];

    public static readonly Command Stop = new("container stop", "[OPTIONS] CONTAINER [CONTAINER...]", "Stop one or more running containers",
        Flags, (ctx, f) => RunAsync(ctx, f, "stop"))
    { Aliases = ["stop"], MinArgs = 1 };

    public static readonly Command Restart = new("container restart", "[OPTIONS] CONTAINER [CONTAINER...]", "Restart one or more containers",
        Flags, (ctx, f) => RunAsync(ctx, f, "restart"))
    { Aliases = ["restart"], MinArgs = 1 };

    private static Task<int> RunAsync(CliContext ctx, ParsedArgs f, string action)
    {
        var timeout = f.Str("timeout") ?? f.Str("time");
        var query = Helpers.Query(("signal", f.Str("signal")), ("t", timeout));
        return Helpers.ForEachAsync(ctx, f.Args, async c =>
        {
            await ctx.Client.PostJsonAsync($"/containers/{Api.DockerClient.Esc(c)}/{action}{query}").ConfigureAwait(false);
            await ctx.Out.WriteLineAsync(c).ConfigureAwait(false);
        });
    }
}
