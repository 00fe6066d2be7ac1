using System.Runtime.InteropServices;
using Quai.Cli.Api;
using Quai.Cli.Terminal;

namespace Quai.Cli.Commands;

/// <summary>
/// Moves bytes over a hijacked attach/exec connection: output to stdout/stderr (demultiplexed
/// unless TTY), stdin to the container with the detach sequence watched on a TTY, half-close on
/// stdin EOF while output keeps flowing until the daemon closes (docker's hijackedIOStreamer).
/// </summary>
internal sealed class AttachSession(CliContext ctx, HijackedConnection conn, bool tty, bool sendStdin, string? detachKeys)
{
    /// <summary>Runs until output ends (false) or the user typed the detach keys (true).</summary>
    public async Task<bool> RunAsync(CancellationToken ct)
    {
        var output = tty
            ? CopyRawAsync(conn, ctx.StdOut, ct)
            : StreamDemuxer.CopyAsync(conn, ctx.StdOut, ctx.StdErr, ct);
        if (!sendStdin)
        {
            await output.ConfigureAwait(false);
            return false;
        }
        var input = Task.Run(() => PumpStdinAsync(ct), CancellationToken.None);
        var first = await Task.WhenAny(output, input).ConfigureAwait(false);
        if (first == input && await input.ConfigureAwait(false))
        {
            return true;
        }
        await output.ConfigureAwait(false);
        return false;
    }

    private static async Task<long> CopyRawAsync(Stream from, Stream to, CancellationToken ct)
    {
        var buf = new byte[32 * 1024];
        long total = 0;
        int n;
        while ((n = await from.ReadAsync(buf, ct).ConfigureAwait(false)) > 0)
        {
            await to.WriteAsync(buf.AsMemory(0, n), ct).ConfigureAwait(false);
            await to.FlushAsync(ct).ConfigureAwait(false);
            total += n;
        }
        return total;
    }

    // Returns true when the detach sequence was typed; false at stdin EOF (after half-closing).
    private async Task<bool> PumpStdinAsync(CancellationToken ct)
    {
        var keys = tty ? DetachKeys.Parse(detachKeys) : null;
        var buf = new byte[32 * 1024];
        try
        {
            while (true)
            {
                var n = await ctx.StdIn.ReadAsync(buf, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }
                var data = buf.AsMemory(0, n);
                if (keys is not null)
                {
                    var (forward, detach) = keys.Feed(data.Span);
                    if (forward.Length > 0)
                    {
                        await conn.WriteAsync(forward, ct).ConfigureAwait(false);
                    }
                    if (detach)
                    {
                        return true;
                    }
                    continue;
                }
                await conn.WriteAsync(data, ct).ConfigureAwait(false);
            }
            conn.CloseWrite();
        }
        catch (IOException)
        {
            // The daemon closed the connection (the container exited): nothing more to send.
        }
        catch (ObjectDisposedException)
        {
        }
        return false;
    }

    /// <summary>
    /// Sends the terminal size now and on every SIGWINCH through <paramref name="resize"/>
    /// (POST /containers/{id}/resize or /exec/{id}/resize); dispose to stop.
    /// </summary>
    public static IDisposable? MonitorSize(Func<int, int, Task> resize)
    {
        if (RawTerminal.Size(1) is null && RawTerminal.Size(0) is null)
        {
            return null;
        }
        async Task Send()
        {
            if ((RawTerminal.Size(1) ?? RawTerminal.Size(0)) is { } s)
            {
                try
                {
                    await resize(s.Rows, s.Cols).ConfigureAwait(false);
                }
                catch (DockerApiException)
                {
                    // The process may already be gone; docker ignores resize errors too.
                }
            }
        }
        _ = Send();
        return PosixSignalRegistration.Create(PosixSignal.SIGWINCH, c =>
        {
            c.Cancel = true;
            _ = Send();
        });
    }
}
