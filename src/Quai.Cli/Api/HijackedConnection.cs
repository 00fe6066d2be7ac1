using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Quai.Cli.Api;

/// <summary>
/// A connection taken over after an HTTP request with `Upgrade: tcp` (attach, exec start): the
/// daemon answers 101 UPGRADED (older daemons 200 OK) and the socket then carries the raw
/// stream both ways. Writes go to the container's stdin; <see cref="CloseWrite"/> half-closes.
/// </summary>
public sealed class HijackedConnection : Stream
{
    private readonly Stream _stream;
    private byte[] _leftover;
    private int _leftoverPos;

    private HijackedConnection(Stream stream, byte[] leftover)
    {
        _stream = stream;
        _leftover = leftover;
    }

    /// <summary>Sends the upgrade request for <paramref name="pathAndQuery"/> and waits for the daemon's answer.</summary>
    public static async Task<HijackedConnection> OpenAsync(DockerClient client, string pathAndQuery, string? jsonBody, CancellationToken ct)
    {
        var version = await client.NegotiateAsync(ct).ConfigureAwait(false);
        var stream = await client.ConnectAsync(ct).ConfigureAwait(false);
        try
        {
            var body = jsonBody is null ? [] : Encoding.UTF8.GetBytes(jsonBody);
            var head = new StringBuilder();
            head.Append("POST /v").Append(version).Append(pathAndQuery).Append(" HTTP/1.1\r\n");
            head.Append("Host: api.moby.localhost\r\n");
            head.Append("User-Agent: Quai-Client/").Append(CliInfo.Version).Append("\r\n");
            head.Append("Content-Type: ").Append(jsonBody is null ? "text/plain" : "application/json").Append("\r\n");
            head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
            head.Append("Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
            var bytes = Encoding.ASCII.GetBytes(head.ToString());
            await stream.WriteAsync(bytes, ct).ConfigureAwait(false);
            if (body.Length > 0)
            {
                await stream.WriteAsync(body, ct).ConfigureAwait(false);
            }
            await stream.FlushAsync(ct).ConfigureAwait(false);

            var (status, headers, rest) = await ReadHeadAsync(stream, ct).ConfigureAwait(false);
            if (status is 101 or 200)
            {
                return new HijackedConnection(stream, rest);
            }
            // An error: the body follows (Content-Length or until close).
            var ms = new MemoryStream();
            ms.Write(rest);
            var length = headers.TryGetValue("content-length", out var cl) && int.TryParse(cl, out var n) ? n : -1;
            var buf = new byte[8192];
            while (length < 0 || ms.Length < length)
            {
                var r = await stream.ReadAsync(buf, ct).ConfigureAwait(false);
                if (r == 0)
                {
                    break;
                }
                ms.Write(buf, 0, r);
            }
            throw new DockerApiException((HttpStatusCode)status, DockerClient.ErrorMessage((HttpStatusCode)status, Encoding.UTF8.GetString(ms.ToArray())));
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reads the status line and headers (CRLF or bare LF lines) byte-wise up to the blank line.</summary>
    private static async Task<(int Status, Dictionary<string, string> Headers, byte[] Remainder)> ReadHeadAsync(Stream stream, CancellationToken ct)
    {
        var buf = new byte[4096];
        var acc = new MemoryStream();
        while (true)
        {
            var r = await stream.ReadAsync(buf, ct).ConfigureAwait(false);
            if (r == 0)
            {
                throw new IOException("the daemon closed the connection before answering the attach request");
            }
            acc.Write(buf, 0, r);
            var data = acc.GetBuffer().AsSpan(0, (int)acc.Length);
            var end = data.IndexOf("\r\n\r\n"u8);
            var sep = 4;
            var lf = data.IndexOf("\n\n"u8);
            if (end < 0 || (lf >= 0 && lf < end))
            {
                end = lf;
                sep = 2;
            }
            if (end < 0)
            {
                continue;
            }
            var text = Encoding.ASCII.GetString(data[..end]);
            var lines = text.Split('\n');
            var statusParts = lines[0].Trim().Split(' ', 3);
            var status = statusParts.Length > 1 && int.TryParse(statusParts[1], out var s) ? s : 0;
            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
                }
            }
            return (status, headers, data[(end + sep)..].ToArray());
        }
    }

    /// <summary>Half-closes: tells the daemon stdin is at EOF while output keeps coming (shutdown(2) SHUT_WR).</summary>
    public void CloseWrite()
    {
        if (_stream is NetworkStream ns)
        {
            ns.Socket.Shutdown(SocketShutdown.Send);
        }
        else if (_stream is System.Net.Security.SslStream ssl)
        {
            // TLS has no half-close; close_notify is the nearest (docker's tls CloseWrite does this).
            ssl.ShutdownAsync().GetAwaiter().GetResult();
        }
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_leftoverPos < _leftover.Length)
        {
            var n = Math.Min(buffer.Length, _leftover.Length - _leftoverPos);
            _leftover.AsMemory(_leftoverPos, n).CopyTo(buffer);
            _leftoverPos += n;
            if (_leftoverPos == _leftover.Length)
            {
                _leftover = [];
                _leftoverPos = 0;
            }
            return n;
        }
        try
        {
            return await _stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc/>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _stream.WriteAsync(buffer, cancellationToken);

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _stream.WriteAsync(buffer, offset, count, cancellationToken);

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => _stream.Write(buffer, offset, count);

    /// <inheritdoc/>
    public override void Flush() => _stream.Flush();

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanWrite => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stream.Dispose();
        }
        base.Dispose(disposing);
    }
}
