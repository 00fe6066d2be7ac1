using System.Net.Security;
using System.Net.Sockets;

namespace Quai.Api.Http;

/// <summary>
/// A connection taken over after <see cref="HttpContext.HijackAsync"/>: raw bytes both ways. Reads
/// return 0 when the client half-closes (docker CLI after stdin EOF) while writes keep working;
/// bytes the client sent right after the request head come first.
/// </summary>
public sealed class HijackedStream : Stream
{
    private readonly ConnectionInput _input;
    private readonly Stream _transport;
    private readonly Socket _socket;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    internal HijackedStream(ConnectionInput input, Stream transport, Socket socket)
    {
        _input = input;
        _transport = transport;
        _socket = socket;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Completes when the stream is disposed (the server tracks the connection until then).</summary>
    internal Task Closed => _closed.Task;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        try
        {
            return await _input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new IOException("reading the hijacked connection failed: " + e.Message, e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _transport.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => _transport.FlushAsync(cancellationToken);

    public override void Flush() => _transport.Flush();

    /// <summary>Ends our sending side (TLS close_notify, then shutdown(SHUT_WR)): the client reads EOF, and can still send.</summary>
    public async Task ShutdownSendAsync()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_transport is SslStream ssl)
        {
            await ssl.ShutdownAsync().ConfigureAwait(false);
        }
        await _transport.FlushAsync().ConfigureAwait(false);
        _socket.Shutdown(SocketShutdown.Send);
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                _transport.Dispose();
            }
            catch (IOException)
            {
            }
            _socket.Dispose();
            _input.Dispose();
            _closed.TrySetResult();
        }
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
