using System.Runtime.InteropServices;
using Quai.Api.Models;
using Quai.Cli.Api;
using Quai.Cli.Parsing;
using Quai.Cli.Terminal;

namespace Quai.Cli.Commands;

/// <summary>
/// `run` / `container run`: create, attach (hijacked), wait (next-exit, or removed with --rm),
/// start, resize, then exit with the container's status, as docker's runContainer does.
/// </summary>
internal static class RunCommand
{
    public static readonly Command Definition = new("container run", "[OPTIONS] IMAGE [COMMAND] [ARG...]", "Create and run a new container from an image",
        ContainerFlags.Run, RunAsync)
    { Aliases = ["run"], MinArgs = 1, Interspersed = false };

    private static async Task<int> RunAsync(CliContext ctx, ParsedArgs f)
    {
        var detach = f.Bool("detach");
        var tty = f.Bool("tty");
        var interactive = f.Bool("interactive");
        if (detach && f.List("attach").Count > 0)
        {
            throw CreateCommand.Fail("Conflicting options: -a and -d", "run");
        }
        if (tty && interactive && !ctx.StdinIsTerminal)
        {
            throw CreateCommand.Fail("the input device is not a TTY", "run", 1);
        }
        var id = await CreateCommand.CreateAsync(ctx, f, detach, "run").ConfigureAwait(false);
        var client = ctx.Client;
        if (detach)
        {
            await StartOrFailAsync(ctx, id).ConfigureAwait(false);
            await ctx.Out.WriteLineAsync(id).ConfigureAwait(false);
            return 0;
        }

        var attach = f.List("attach").Select(a => a.ToLowerInvariant()).ToList();
        var stdin = attach.Count > 0 ? attach.Contains("stdin") : interactive;
        var stdout = attach.Count == 0 || attach.Contains("stdout");
        var stderr = attach.Count == 0 || attach.Contains("stderr");
        using var cts = new CancellationTokenSource();
        HijackedConnection? conn = null;
        if (stdin || stdout || stderr)
        {
            var q = Helpers.Query(("stderr", stderr ? "1" : null), ("stdin", stdin ? "1" : null), ("stdout", stdout ? "1" : null), ("stream", "1"));
            if (f.Str("detach-keys") is { } dk)
            {
                q += "&detachKeys=" + DockerClient.Esc(dk);
            }
            conn = await HijackedConnection.OpenAsync(client, $"/containers/{id}/attach{q}", null, cts.Token).ConfigureAwait(false);
        }
        await using var connDispose = conn;
        var condition = f.Bool("rm") ? "removed" : "next-exit";
        using var wait = await client.SendAsync(HttpMethod.Post, $"/containers/{id}/wait?condition={condition}", streaming: true).ConfigureAwait(false);

        using var raw = tty && stdin ? RawTerminal.MakeRaw(0) : null;
        Task<bool>? session = conn is null ? null : new AttachSession(ctx, conn, tty, stdin, f.Str("detach-keys")).RunAsync(cts.Token);
        try
        {
            await StartOrFailAsync(ctx, id).ConfigureAwait(false);
        }
        catch
        {
            raw?.Restore();
            await cts.CancelAsync().ConfigureAwait(false);
            throw;
        }
        using var resize = tty ? AttachSession.MonitorSize((h, w) => ctx.Client.PostJsonAsync($"/containers/{id}/resize?h={h}&w={w}")) : null;
        using var sigint = !tty && (!f.Has("sig-proxy") || f.Bool("sig-proxy")) ? ProxySignal(ctx, id, PosixSignal.SIGINT, "SIGINT") : null;
        using var sigterm = !tty && (!f.Has("sig-proxy") || f.Bool("sig-proxy")) ? ProxySignal(ctx, id, PosixSignal.SIGTERM, "SIGTERM") : null;

        if (session is not null)
        {
            bool detached;
            try
            {
                detached = await session.ConfigureAwait(false);
            }
            catch (IOException e)
            {
                raw?.Restore();
                await ctx.Err.WriteLineAsync(e.Message).ConfigureAwait(false);
                detached = false;
            }
            if (detached)
            {
                raw?.Restore();
                return 0;
            }
        }
        raw?.Restore();
        var status = await ReadWaitStatusAsync(wait).ConfigureAwait(false);
        return status;
    }

    /// <summary>Starts the container; a failure maps to 125, or 126/127 when the command could not be run (docker's toStatusError).</summary>
    internal static async Task StartOrFailAsync(CliContext ctx, string id)
    {
        try
        {
            await ctx.Client.PostJsonAsync($"/containers/{id}/start").ConfigureAwait(false);
        }
        catch (DockerApiException e)
        {
            throw CreateCommand.Fail("Error response from daemon: " + e.Message, "run", ExitCodeFor(e.Message));
        }
    }

    /// <summary>127 when the executable was not found, 126 when it could not be executed, else 125.</summary>
    internal static int ExitCodeFor(string message)
    {
        if (message.Contains("executable file not found", StringComparison.Ordinal) || message.Contains("no such file or directory", StringComparison.Ordinal))
        {
            return 127;
        }
        if (message.Contains("permission denied", StringComparison.Ordinal) || message.Contains("is a directory", StringComparison.Ordinal))
        {
            return 126;
        }
        return 125;
    }

    /// <summary>Reads {"StatusCode":N,"Error":...} from a wait response; a wait error is exit 125.</summary>
    internal static async Task<int> ReadWaitStatusAsync(HttpResponseMessage wait)
    {
        var status = await DockerClient.ReadAsync(wait, ApiJsonContext.Default.ContainerWaitResponse).ConfigureAwait(false);
        if (status is null)
        {
            return 125;
        }
        if (status.Error?.Message is { Length: > 0 } err)
        {
            throw new CliException(err, 125);
        }
        return (int)(status.StatusCode ?? 0);
    }

    private static PosixSignalRegistration ProxySignal(CliContext ctx, string id, PosixSignal signal, string name) =>
        PosixSignalRegistration.Create(signal, c =>
        {
            c.Cancel = true;
            _ = ctx.Client.PostJsonAsync($"/containers/{id}/kill?signal={name}").ContinueWith(_ => { }, TaskScheduler.Default);
        });
}
