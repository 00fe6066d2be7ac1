using Quai.Cli.Api;
using Quai.Cli.Parsing;
using Quai.Cli.Terminal;

namespace Quai.Cli.Commands;

/// <summary>`start` (optionally attached with -a/-i, then exiting with the container's status) and `attach`.</summary>
internal static class StartCommand
{
    public static readonly Command Start = new("container start", "[OPTIONS] CONTAINER [CONTAINER...]", "Start one or more stopped containers",
        [
            Flag.Bool("attach", 'a', "Attach STDOUT/STDERR and forward signals"),
            Flag.Str("detach-keys", '\0', "Override the key sequence for detaching a container"),
            Flag.Bool("interactive", 'i', "Attach container's STDIN"),
        ], StartAsync)
    { Aliases = ["start"], MinArgs = 1 };

    public static readonly Command Attach = new("container attach", "[OPTIONS] CONTAINER", "Attach local standard input, output, and error streams to a running container",
        [
            Flag.Str("detach-keys", '\0', "Override the key sequence for detaching a container"),
            Flag.Bool("no-stdin", '\0', "Do not attach STDIN"),
            Flag.Bool("sig-proxy", '\0', "Proxy all received signals to the process (default true)"),
        ], AttachAsync)
    { Aliases = ["attach"], MinArgs = 1, MaxArgs = 1 };

    private static async Task<int> StartAsync(CliContext ctx, ParsedArgs f)
    {
        if (!f.Bool("attach") && !f.Bool("interactive"))
        {
            return await Helpers.ForEachAsync(ctx, f.Args, async c =>
            {
                await ctx.Client.PostJsonAsync($"/containers/{DockerClient.Esc(c)}/start").ConfigureAwait(false);
                await ctx.Out.WriteLineAsync(c).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        if (f.Args.Count > 1)
        {
            throw new CliException("you cannot start and attach multiple containers at once");
        }
        var info = await ctx.Client.GetJsonAsync($"/containers/{DockerClient.Esc(f.Args[0])}/json").ConfigureAwait(false);
        var id = Helpers.S(info, "Id");
        var tty = info?["Config"]?["Tty"]?.GetValue<bool>() ?? false;
        var stdin = f.Bool("interactive") && (info?["Config"]?["OpenStdin"]?.GetValue<bool>() ?? false);
        return await AttachAndWaitAsync(ctx, id, tty, stdin, f.Str("detach-keys"), start: true).ConfigureAwait(false);
    }

    private static async Task<int> AttachAsync(CliContext ctx, ParsedArgs f)
    {
        var info = await ctx.Client.GetJsonAsync($"/containers/{DockerClient.Esc(f.Args[0])}/json").ConfigureAwait(false);
        if (!(info?["State"]?["Running"]?.GetValue<bool>() ?? false))
        {
            throw new CliException("You cannot attach to a stopped container, start it first");
        }
        var id = Helpers.S(info, "Id");
        var tty = info?["Config"]?["Tty"]?.GetValue<bool>() ?? false;
        var stdin = !f.Bool("no-stdin") && (info?["Config"]?["OpenStdin"]?.GetValue<bool>() ?? false);
        return await AttachAndWaitAsync(ctx, id, tty, stdin, f.Str("detach-keys"), start: false).ConfigureAwait(false);
    }

    private static async Task<int> AttachAndWaitAsync(CliContext ctx, string id, bool tty, bool stdin, string? detachKeys, bool start)
    {
        using var cts = new CancellationTokenSource();
        var q = Helpers.Query(("stderr", "1"), ("stdin", stdin ? "1" : null), ("stdout", "1"), ("stream", "1"), ("detachKeys", detachKeys));
        await using var conn = await HijackedConnection.OpenAsync(ctx.Client, $"/containers/{id}/attach{q}", null, cts.Token).ConfigureAwait(false);
        using var wait = await ctx.Client.SendAsync(HttpMethod.Post, $"/containers/{id}/wait?condition=next-exit", streaming: true).ConfigureAwait(false);
        using var raw = tty && stdin ? RawTerminal.MakeRaw(0) : null;
        var session = new AttachSession(ctx, conn, tty, stdin, detachKeys).RunAsync(cts.Token);
        if (start)
        {
            await ctx.Client.PostJsonAsync($"/containers/{id}/start").ConfigureAwait(false);
        }
        using var resize = tty ? AttachSession.MonitorSize((h, w) => ctx.Client.PostJsonAsync($"/containers/{id}/resize?h={h}&w={w}")) : null;
        var detached = await session.ConfigureAwait(false);
        raw?.Restore();
        if (detached)
        {
            return 0;
        }
        return await RunCommand.ReadWaitStatusAsync(wait).ConfigureAwait(false);
    }
}
