using System.Buffers.Binary;
using System.Text;
using Quai.Api.Http;
using Quai.Engine;
using Quai.Engine.Logs;
using Quai.Shim.Client;

namespace Quai.Api.Docker;

public sealed partial class DockerApi
{
    private const string RawStream = "application/vnd.docker.raw-stream";
    private const string MultiplexedStream = "application/vnd.docker.multiplexed-stream";

    private async Task LogsAsync(HttpContext ctx)
    {
        var stdout = QBool(ctx, "stdout");
        var stderr = QBool(ctx, "stderr");
        if (!stdout && !stderr)
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, "Bad parameters: you must choose at least one stream");
        }
        var tailText = Q(ctx, "tail");
        int? tail = string.IsNullOrEmpty(tailText) || tailText == "all" ? null
            : int.TryParse(tailText, out var n) ? n : throw new EngineException(EngineErrorKind.InvalidArgument, $"invalid tail value \"{tailText}\": use a number or all");
        // until=0 means no upper bound, as moby's daemon/logs.go reads it (Testcontainers sends
        // since=<created>&until=0 for every log wait); since=0 is the epoch, i.e. everything.
        var untilText = Q(ctx, "until");
        var until = untilText == "0" ? null : ParseTime(untilText);
        var options = new JsonFileLogReader.Options(stdout, stderr, ParseTime(Q(ctx, "since")), until, tail, QBool(ctx, "follow"));
        var timestamps = QBool(ctx, "timestamps");
        var (entries, tty) = _engine.Containers.Logs(Id(ctx), options, ctx.RequestAborted);
        ctx.Response.Headers["Content-Type"] = tty ? RawStream : MultiplexedStream;
        await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
        try
        {
            await foreach (var e in entries.ConfigureAwait(false))
            {
                await WriteLogEntryAsync(ctx.Response.Body, e, tty, timestamps, ctx.RequestAborted).ConfigureAwait(false);
                if (options.Follow)
                {
                    await ctx.Response.Body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task WriteLogEntryAsync(Stream output, LogEntry e, bool tty, bool timestamps, CancellationToken ct)
    {
        var payload = e.Data;
        if (timestamps)
        {
            var prefix = Encoding.UTF8.GetBytes(Engine.Containers.ContainerService.Rfc3339(e.Time).Replace("Z", "", StringComparison.Ordinal).PadRight(29, '0') + "Z ");
            var combined = new byte[prefix.Length + payload.Length];
            prefix.CopyTo(combined, 0);
            payload.CopyTo(combined.AsMemory(prefix.Length));
            payload = combined;
        }
        if (!tty)
        {
            await output.WriteAsync(FrameHeader(e.Stream, payload.Length), ct).ConfigureAwait(false);
        }
        await output.WriteAsync(payload, ct).ConfigureAwait(false);
    }

    private static byte[] FrameHeader(int stream, int length)
    {
        var header = new byte[8];
        header[0] = (byte)stream;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)length);
        return header;
    }

    /// <summary>
    /// POST /containers/{id}/attach: hijacks the connection (101 with Upgrade: tcp, or 200 for older
    /// clients), replays the logs when asked, then streams the container's output and its stdin.
    /// A client's half-close ends stdin only; output keeps flowing until the container ends.
    /// </summary>
    private async Task AttachAsync(HttpContext ctx)
    {
        var c = _engine.Containers.Get(Id(ctx));
        var stdin = QBool(ctx, "stdin");
        var stdout = QBool(ctx, "stdout");
        var stderr = QBool(ctx, "stderr");
        var logs = QBool(ctx, "logs");
        var stream = QBool(ctx, "stream");
        var detachKeys = ParseDetachKeys(Q(ctx, "detachKeys"));
        var tty = c.Config.Tty == true;
        ctx.Response.Headers["Content-Type"] = StreamContentType(ctx, tty);
        var hijacked = await ctx.HijackAsync(ctx.Request.UpgradeProtocol, ctx.RequestAborted).ConfigureAwait(false);
        await using (hijacked.ConfigureAwait(false))
        {
            if (logs)
            {
                var (entries, _) = _engine.Containers.Logs(c.Id, new JsonFileLogReader.Options(stdout, stderr, null, null, null, false), ctx.RequestAborted);
                await foreach (var e in entries.ConfigureAwait(false))
                {
                    await WriteLogEntryAsync(hijacked, e, tty, false, ctx.RequestAborted).ConfigureAwait(false);
                }
                await hijacked.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
            }
            if (!stream)
            {
                return;
            }
            using var done = new CancellationTokenSource();
            ShimAttachment attachment;
            try
            {
                (attachment, _) = await _engine.Containers.AttachAsync(c.Id, stdin, stdout, stderr, done.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is EngineException or IOException or OperationCanceledException or ShimException)
            {
                return;
            }
            await PipeAsync(hijacked, attachment, tty, stdin, detachKeys).ConfigureAwait(false);
        }
    }

    /// <summary>API 1.42 named the multiplexed framing in Content-Type; older clients expect raw-stream.</summary>
    private static string StreamContentType(HttpContext ctx, bool tty) =>
        tty || (ctx.Request.ApiVersion is { } v && v < new ApiVersion(1, 42)) ? RawStream : MultiplexedStream;

    /// <summary>Shim frames → client (raw for a TTY), client bytes → stdin; ends with the output.</summary>
    // exited: for an exec, completes once its exit code is recorded. The stream is closed only
    // after that (as moby's ExecStart returns after the process is reaped), because the CLI reads
    // the exit code from exec inspect as soon as the stream ends.
    private static async Task PipeAsync(HijackedStream client, ShimAttachment attachment, bool tty, bool stdin, byte[]? detachKeys, Task? exited = null)
    {
        await using (attachment.ConfigureAwait(false))
        {
            using var detached = new CancellationTokenSource();
            Task input = Task.CompletedTask;
            if (stdin)
            {
                input = Task.Run(async () =>
                {
                    var buffer = new byte[32 * 1024];
                    var matched = 0;
                    try
                    {
                        while (true)
                        {
                            var n = await client.ReadAsync(buffer, detached.Token).ConfigureAwait(false);
                            if (n == 0)
                            {
                                break;
                            }
                            var data = buffer.AsMemory(0, n);
                            if (detachKeys is { Length: > 0 })
                            {
                                // docker's term.NewEscapeProxy: the detach sequence ends the attach, the container runs on.
                                for (var i = 0; i < n; i++)
                                {
                                    matched = buffer[i] == detachKeys[matched] ? matched + 1 : buffer[i] == detachKeys[0] ? 1 : 0;
                                    if (matched == detachKeys.Length)
                                    {
                                        await detached.CancelAsync().ConfigureAwait(false);
                                        return;
                                    }
                                }
                            }
                            await attachment.Stream.WriteAsync(data, detached.Token).ConfigureAwait(false);
                        }
                        await attachment.CloseStdinAsync().ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException)
                    {
                    }
                });
            }
            try
            {
                while (true)
                {
                    var frame = await ShimFrame.ReadAsync(attachment.Stream, detached.Token).ConfigureAwait(false);
                    if (frame is not { } f)
                    {
                        break;
                    }
                    if (!tty)
                    {
                        await client.WriteAsync(FrameHeader(f.Stream, f.Data.Length), detached.Token).ConfigureAwait(false);
                    }
                    await client.WriteAsync(f.Data, detached.Token).ConfigureAwait(false);
                    await client.FlushAsync(detached.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
            }
            if (exited is not null && !detached.IsCancellationRequested)
            {
                await exited.ConfigureAwait(false);
            }
            await detached.CancelAsync().ConfigureAwait(false);
            try
            {
                await client.ShutdownSendAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
            }
            await input.ConfigureAwait(false);
        }
    }

    /// <summary>docker's --detach-keys: "ctrl-p,ctrl-q" (default), letters, "ctrl-@", "ctrl-[" … .</summary>
    internal static byte[]? ParseDetachKeys(string? keys)
    {
        if (keys is null)
        {
            return [0x10, 0x11];
        }
        if (keys.Length == 0)
        {
            return null;
        }
        var result = new List<byte>();
        foreach (var k in keys.Split(','))
        {
            if (k.StartsWith("ctrl-", StringComparison.Ordinal) && k.Length == 6)
            {
                var ch = char.ToLowerInvariant(k[5]);
                result.Add(ch switch
                {
                    >= 'a' and <= 'z' => (byte)(ch - 'a' + 1),
                    '@' => 0,
                    '[' => 27,
                    '\\' => 28,
                    ']' => 29,
                    '^' => 30,
                    '_' => 31,
                    _ => throw new EngineException(EngineErrorKind.InvalidArgument, $"Invalid escape keys ({keys}) provided"),
                });
            }
            else if (k.Length == 1)
            {
                result.Add((byte)k[0]);
            }
            else
            {
                throw new EngineException(EngineErrorKind.InvalidArgument, $"Invalid escape keys ({keys}) provided");
            }
        }
        return [.. result];
    }
}
