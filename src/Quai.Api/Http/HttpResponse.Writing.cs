using System.Buffers;
using System.Globalization;
using System.Net.Sockets;

namespace Quai.Api.Http;

/// <summary>The response's wire side: head, body framing (RFC 9112 §6-§7), 100 Continue and the hijack head.</summary>
public sealed partial class HttpResponse
{
    private const int CoalesceLimit = 8192;

    private readonly HttpContext _context;
    private readonly Stream _transport;
    private readonly SemaphoreSlim _headLock = new(1, 1);
    private Framing _framing;
    private long _written;
    private long _headBodyBytes;
    private bool _completed;
    private bool _continueSent;

    private enum Framing
    {
        None,
        ContentLength,
        Chunked,
        CloseDelimited,
    }

    /// <summary>Whether the connection stays open after this response (decided when the head is sent).</summary>
    internal bool KeepAlive { get; private set; }

    /// <summary>Whether the client sent <c>Expect: 100-continue</c> and waits for it before the body.</summary>
    internal bool ExpectsContinue { get; set; }

    /// <summary>Whether "100 Continue" went out (so the client is sending the body).</summary>
    internal bool ContinueSent => _continueSent;

    private bool IsHead => _context.Request.Method == "HEAD";

    private bool BodyAllowed => _statusCode is >= 200 and not 204 and not 304;

    internal async ValueTask WriteCoreAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_completed)
        {
            throw new InvalidOperationException(_context.IsHijacked
                ? "the connection was hijacked: write to the HijackedStream, not to the response body"
                : "the response is complete: nothing more can be written");
        }
        if (!HasStarted)
        {
            if (IsHead)
            {
                // A HEAD response has no body (RFC 9110 §9.3.2); its length is what GET would send.
                _headBodyBytes += data.Length;
                return;
            }
            await StartCoreAsync(data, cancellationToken).ConfigureAwait(false);
            return;
        }
        await WriteBodyAsync(data, cancellationToken).ConfigureAwait(false);
    }

    internal async ValueTask FlushCoreAsync(CancellationToken cancellationToken)
    {
        if (_completed && _context.IsHijacked)
        {
            return;
        }
        if (!HasStarted)
        {
            await StartCoreAsync(default, cancellationToken).ConfigureAwait(false);
        }
        await TransportAsync(static (t, _, ct) => new ValueTask(t.FlushAsync(ct)), default, cancellationToken).ConfigureAwait(false);
    }

    internal async ValueTask StartCoreAsync(ReadOnlyMemory<byte> firstData, CancellationToken cancellationToken)
    {
        await _headLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (HasStarted)
            {
                await WriteBodyAsync(firstData, cancellationToken).ConfigureAwait(false);
                return;
            }
            if (_contentLength is null && Headers["Content-Length"] is { } declared)
            {
                // A handler that set the header rather than the property means the same thing.
                _contentLength = long.TryParse(declared, NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                    ? length
                    : throw new InvalidOperationException($"invalid Content-Length response header \"{declared}\"");
            }
            _framing = !BodyAllowed ? Framing.None
                : _contentLength is not null ? Framing.ContentLength
                : IsHead ? Framing.None
                : _context.Request.ProtocolVersion.Minor >= 1 ? Framing.Chunked
                : Framing.CloseDelimited;
            CheckBody(firstData.Length);
            KeepAlive = _context.DecideKeepAlive(_framing == Framing.CloseDelimited);
            using var head = new ResponseHead();
            head.StatusLine(_statusCode);
            foreach (var (name, value) in Headers)
            {
                if (!IsFramingHeader(name))
                {
                    head.Header(name, value);
                }
            }
            if (!Headers.Contains("Server"))
            {
                head.Header("Server", _context.Options.ServerHeader);
            }
            if (!Headers.Contains("Date"))
            {
                head.Header("Date", ResponseHead.Date);
            }
            if (_framing == Framing.ContentLength || (IsHead && _contentLength is not null && BodyAllowed))
            {
                head.Header("Content-Length", _contentLength!.Value.ToString(CultureInfo.InvariantCulture));
            }
            else if (_framing == Framing.Chunked)
            {
                head.Header("Transfer-Encoding", "chunked");
            }
            if (!KeepAlive && _context.Request.ProtocolVersion.Minor >= 1)
            {
                head.Header("Connection", "close");
            }
            else if (KeepAlive && _context.Request.ProtocolVersion.Minor == 0)
            {
                head.Header("Connection", "keep-alive");
            }
            head.End();
            HasStarted = true;
            var coalesce = !firstData.IsEmpty && firstData.Length <= CoalesceLimit && _framing != Framing.None;
            if (coalesce)
            {
                AppendFramed(head, firstData.Span);
                _written += firstData.Length;
            }
            await TransportAsync(static (t, m, ct) => t.WriteAsync(m, ct), head.Buffer.AsMemory(0, head.Length), cancellationToken).ConfigureAwait(false);
            if (!coalesce)
            {
                await WriteBodyAsync(firstData, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _headLock.Release();
        }
    }

    /// <summary>Ends the response (zero-length chunk, or the head of an empty response); false if the connection must close.</summary>
    internal async ValueTask<bool> CompleteAsync(CancellationToken cancellationToken)
    {
        if (_completed)
        {
            return true;
        }
        if (!HasStarted)
        {
            if (BodyAllowed && _contentLength is null)
            {
                _contentLength = IsHead ? _headBodyBytes : 0;
            }
            await StartCoreAsync(default, cancellationToken).ConfigureAwait(false);
        }
        _completed = true;
        if (_framing == Framing.Chunked)
        {
            await TransportAsync(static (t, m, ct) => t.WriteAsync(m, ct), "0\r\n\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        }
        await TransportAsync(static (t, _, ct) => new ValueTask(t.FlushAsync(ct)), default, cancellationToken).ConfigureAwait(false);
        // A body shorter than its Content-Length, or one delimited by closing, ends the connection.
        return _framing switch
        {
            Framing.ContentLength => IsHead || _written == _contentLength,
            Framing.CloseDelimited => false,
            _ => true,
        };
    }

    /// <summary>Sends "100 Continue" (RFC 9110 §10.1.1) the first time the handler reads a body the client holds back.</summary>
    internal async ValueTask SendContinueAsync(CancellationToken cancellationToken)
    {
        if (!ExpectsContinue || _continueSent || HasStarted)
        {
            return;
        }
        await _headLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_continueSent && !HasStarted)
            {
                _continueSent = true;
                await TransportAsync(static (t, m, ct) => t.WriteAsync(m, ct), "HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _headLock.Release();
        }
    }

    /// <summary>Sends docker's hijack head: <c>101 UPGRADED</c> for an Upgrade request, else <c>200 OK</c> with no framing.</summary>
    internal async ValueTask WriteHijackHeadAsync(string? upgradeProtocol, CancellationToken cancellationToken)
    {
        await _headLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfStarted();
            using var head = new ResponseHead();
            var contentType = Headers["Content-Type"] ?? "application/vnd.docker.raw-stream";
            // The exact lines dockerd writes (daemon/server/router/container/container_routes.go, postContainersAttach).
            if (_context.Request.IsUpgradeRequest)
            {
                _statusCode = 101;
                head.StatusLine(101, "UPGRADED");
                head.Header("Content-Type", contentType);
                head.Header("Connection", "Upgrade");
                head.Header("Upgrade", upgradeProtocol ?? _context.Request.UpgradeProtocol ?? "tcp");
            }
            else
            {
                _statusCode = 200;
                head.StatusLine(200);
                head.Header("Content-Type", contentType);
            }
            foreach (var (name, value) in Headers)
            {
                if (!IsFramingHeader(name) && !string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase)
                    && !string.Equals(name, "Upgrade", StringComparison.OrdinalIgnoreCase))
                {
                    head.Header(name, value);
                }
            }
            head.End();
            HasStarted = true;
            _completed = true;
            await TransportAsync(static (t, m, ct) => t.WriteAsync(m, ct), head.Buffer.AsMemory(0, head.Length), cancellationToken).ConfigureAwait(false);
            await TransportAsync(static (t, _, ct) => new ValueTask(t.FlushAsync(ct)), default, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _headLock.Release();
        }
    }

    private static bool IsFramingHeader(string name) =>
        string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, "Connection", StringComparison.OrdinalIgnoreCase);

    private void CheckBody(int length)
    {
        if (length == 0)
        {
            return;
        }
        if (_framing == Framing.None && !IsHead)
        {
            throw new InvalidOperationException($"a {_statusCode} response has no body (RFC 9110 §15): nothing can be written");
        }
        if (_framing == Framing.ContentLength && _written + length > _contentLength)
        {
            throw new InvalidOperationException($"the response body is longer than its Content-Length ({_contentLength} bytes)");
        }
    }

    private async ValueTask WriteBodyAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (data.IsEmpty)
        {
            return;
        }
        CheckBody(data.Length);
        if (_framing == Framing.None)
        {
            return; // HEAD after an explicit start: the body is never sent
        }
        if (_framing != Framing.Chunked)
        {
            await TransportAsync(static (t, m, ct) => t.WriteAsync(m, ct), data, cancellationToken).ConfigureAwait(false);
        }
        else if (data.Length <= CoalesceLimit)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(data.Length + 32);
            try
            {
                var n = WriteChunkPrefix(buffer, data.Length);
                data.Span.CopyTo(buffer.AsSpan(n));
                n += data.Length;
                buffer[n++] = (byte)'\r';
                buffer[n++] = (byte)'\n';
                await TransportAsync(static (t, m, ct) => t.WriteAsync(m, ct), buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        else
        {
            var prefix = new byte[24];
            var n = WriteChunkPrefix(prefix, data.Length);
            await TransportAsync(static (t, m, ct) => t.WriteAsync(m, ct), prefix.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            await TransportAsync(static (t, m, ct) => t.WriteAsync(m, ct), data, cancellationToken).ConfigureAwait(false);
            await TransportAsync(static (t, m, ct) => t.WriteAsync(m, ct), "\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        }
        _written += data.Length;
    }

    private void AppendFramed(ResponseHead head, ReadOnlySpan<byte> data)
    {
        if (_framing == Framing.Chunked)
        {
            Span<byte> prefix = stackalloc byte[24];
            var n = WriteChunkPrefix(prefix, data.Length);
            head.Append(prefix[..n]);
            head.Append(data);
            head.Append("\r\n"u8);
        }
        else
        {
            head.Append(data);
        }
    }

    private static int WriteChunkPrefix(Span<byte> destination, int length)
    {
        length.TryFormat(destination, out var n, "x", CultureInfo.InvariantCulture);
        destination[n++] = (byte)'\r';
        destination[n++] = (byte)'\n';
        return n;
    }

    // Every byte to the client goes through here, so a dead peer is noticed in one place.
    private async ValueTask TransportAsync(Func<Stream, ReadOnlyMemory<byte>, CancellationToken, ValueTask> op, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await op(_transport, data, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            _context.OnConnectionBroken();
            throw new IOException("writing the response failed: the client closed the connection", e);
        }
    }
}
