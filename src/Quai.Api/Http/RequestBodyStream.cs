namespace Quai.Api.Http;

/// <summary>
/// A request body read straight off the connection as the handler asks for it (never buffered
/// whole); sends "100 Continue" before the first read and tells the connection when the body ended.
/// </summary>
internal abstract class RequestBodyStream : Stream
{
    private readonly HttpContext _context;

    protected RequestBodyStream(ConnectionInput input, HttpContext context)
    {
        Input = input;
        _context = context;
    }

    /// <summary>True once the whole body was read.</summary>
    public bool IsCompleted { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    protected ConnectionInput Input { get; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (IsCompleted || buffer.IsEmpty)
        {
            return 0;
        }
        await _context.Response.SendContinueAsync(cancellationToken).ConfigureAwait(false);
        int n;
        try
        {
            n = await ReadCoreAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException && e is not BadHttpRequestException)
        {
            _context.OnConnectionBroken();
            throw new IOException("reading the request body failed: the client closed the connection or the connection broke", e);
        }
        catch (BadHttpRequestException)
        {
            // The framing is lost but the client is there: it gets the 400, then the connection closes.
            _context.OnBadRequestBody();
            throw;
        }
        if (n == 0 || RemainingIsZero)
        {
            IsCompleted = true;
            _context.OnRequestBodyCompleted();
        }
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous readers (a TarReader, a JSON document parser) get the same stream, blocking.
    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override int Read(Span<byte> buffer)
    {
        var rented = new byte[buffer.Length];
        var n = Read(rented, 0, rented.Length);
        rented.AsSpan(0, n).CopyTo(buffer);
        return n;
    }

    /// <summary>Reads and discards the rest of the body, up to <paramref name="maxBytes"/>; true if it ended.</summary>
    public async ValueTask<bool> DrainAsync(long maxBytes, CancellationToken cancellationToken)
    {
        var scratch = new byte[8192];
        long total = 0;
        while (!IsCompleted)
        {
            var n = await ReadAsync(scratch, cancellationToken).ConfigureAwait(false);
            total += n;
            if (total > maxBytes)
            {
                return false;
            }
        }
        return true;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Whether the framing says the body ended with the last read (so completion need not wait for a 0 read).</summary>
    protected abstract bool RemainingIsZero { get; }

    /// <summary>Reads body bytes; 0 at the end of the body.</summary>
    protected abstract ValueTask<int> ReadCoreAsync(Memory<byte> buffer, CancellationToken cancellationToken);
}
