using System.Buffers;

namespace Quai.Api.Http;

/// <summary>
/// The read side of one connection: a buffer over the transport that the request parser, the
/// body streams, the abort watcher and a hijacked stream share, one at a time.
/// </summary>
/// <remarks>
/// At most one read is in flight. The "pending fill" is the read that watches an idle connection
/// while a handler runs (Go's connReader.startBackgroundRead): if it returns bytes they stay here
/// for the next request (pipelining) or for the hijacked stream; if it returns 0 or fails, the
/// client went away. Whoever reads next first awaits it.
/// </remarks>
internal sealed class ConnectionInput : IDisposable
{
    private const int InitialSize = 4096;

    private readonly Stream _stream;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private Task<int>? _pendingFill;

    public ConnectionInput(Stream stream)
    {
        _stream = stream;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
    }

    /// <summary>True once the peer's side has ended (a read returned 0).</summary>
    public bool IsEndOfStream { get; private set; }

    /// <summary>The buffered bytes not yet consumed (none while the watching read is still in flight).</summary>
    public ReadOnlySpan<byte> Buffered
    {
        get
        {
            if (_pendingFill is { IsCompletedSuccessfully: true })
            {
                _pendingFill = null; // its bytes are in the buffer; IsEndOfStream recorded a 0
            }
            return _pendingFill is null ? _buffer.AsSpan(_start, _end - _start) : default;
        }
    }

    /// <summary>How many bytes are buffered.</summary>
    public int BufferedCount => Buffered.Length;

    /// <summary>Whether a watching read is in flight.</summary>
    public bool HasPendingFill => _pendingFill is not null;

    /// <summary>Marks <paramref name="count"/> buffered bytes as consumed.</summary>
    public void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            _start = _end = 0;
        }
    }

    /// <summary>
    /// Reads more bytes into the buffer, growing it up to <paramref name="maxBuffered"/>; returns the
    /// number added, 0 at end of stream. The buffer must not be full at <paramref name="maxBuffered"/>.
    /// </summary>
    public async ValueTask<int> FillAsync(int maxBuffered, CancellationToken cancellationToken)
    {
        if (_pendingFill is not null)
        {
            return await AwaitPendingAsync(cancellationToken).ConfigureAwait(false);
        }
        if (IsEndOfStream)
        {
            return 0;
        }
        MakeRoom(maxBuffered);
        return await ReadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the watching read, if there is room in the buffer and no read in flight; <paramref name="onEnd"/>
    /// runs when it finds the end of the stream (false) or an error (true).
    /// </summary>
    public void StartPendingFill(Action<bool> onEnd, CancellationToken cancellationToken)
    {
        // With bytes already buffered the next request is here (pipelining): nothing to watch for,
        // and a read into the buffer now would race with the parser consuming it.
        if (_pendingFill is not null || IsEndOfStream || _end != _start)
        {
            return;
        }
        _start = _end = 0;
        var task = ReadIntoBufferAsync(cancellationToken).AsTask();
        _pendingFill = task;
        _ = task.ContinueWith(
            static (t, state) =>
            {
                if (t.IsFaulted || t.IsCanceled || t.Result == 0)
                {
                    ((Action<bool>)state!)(!t.IsCompletedSuccessfully);
                }
                _ = t.Exception; // observed
            },
            onEnd,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>
    /// Reads into <paramref name="destination"/>: buffered bytes first, then (after the watching read,
    /// if any) straight from the transport. Returns 0 at end of stream.
    /// </summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }
        if (BufferedCount == 0 && _pendingFill is not null
            && await AwaitPendingAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            return 0;
        }
        if (BufferedCount > 0)
        {
            var n = Math.Min(destination.Length, BufferedCount);
            Buffered[..n].CopyTo(destination.Span);
            Consume(n);
            return n;
        }
        if (IsEndOfStream)
        {
            return 0;
        }
        var read = await _stream.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            IsEndOfStream = true;
        }
        return read;
    }

    /// <summary>Waits for the watching read, if any, so the buffer is safe to use; false if it failed.</summary>
    public async ValueTask<bool> SettleAsync(CancellationToken cancellationToken)
    {
        if (_pendingFill is null)
        {
            return true;
        }
        try
        {
            await AwaitPendingAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        // The buffer goes back to the pool only when no read can still write into it.
        if (_pendingFill is null || _pendingFill.IsCompleted)
        {
            var b = _buffer;
            _buffer = [];
            if (b.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(b);
            }
        }
    }

    // A cancelled wait leaves the read in flight: it stays pending for whoever reads next.
    private async ValueTask<int> AwaitPendingAsync(CancellationToken cancellationToken)
    {
        var pending = _pendingFill!;
        try
        {
            var n = await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
            _pendingFill = null;
            return n;
        }
        catch (OperationCanceledException) when (!pending.IsCompleted)
        {
            throw;
        }
        catch
        {
            _pendingFill = null;
            throw;
        }
    }

    private async ValueTask<int> ReadIntoBufferAsync(CancellationToken cancellationToken)
    {
        var n = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            IsEndOfStream = true;
        }
        _end += n;
        return n;
    }

    private void MakeRoom(int maxBuffered)
    {
        if (_end < _buffer.Length)
        {
            return;
        }
        if (_start > 0)
        {
            Compact();
            return;
        }
        var size = Math.Min(Math.Max(_buffer.Length * 2, InitialSize), Math.Max(maxBuffered, _buffer.Length + 1));
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _end).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    private void Compact()
    {
        var count = _end - _start;
        _buffer.AsSpan(_start, count).CopyTo(_buffer);
        _start = 0;
        _end = count;
    }
}
