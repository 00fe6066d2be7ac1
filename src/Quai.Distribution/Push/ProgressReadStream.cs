namespace Quai.Distribution.Push;

/// <summary>
/// A read-only window of <c>length</c> bytes over a blob stream that reports "Pushing" progress as
/// HttpClient reads it, so uploads stream from disk without buffering.
/// </summary>
internal sealed class ProgressReadStream : Stream
{
    private const long Step = 256 * 1024;
    private readonly Stream _inner;
    private readonly long _length;
    private readonly long _offset;
    private readonly long _total;
    private readonly IProgress<PushProgress>? _progress;
    private readonly string _id;
    private long _read;
    private long _lastReported = -Step;

    public ProgressReadStream(Stream inner, long length, long offset, long total, IProgress<PushProgress>? progress, string id)
    {
        _inner = inner;
        _length = length;
        _offset = offset;
        _total = total;
        _progress = progress;
        _id = id;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException("the upload stream is read forwards only");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer[..(int)Math.Min(buffer.Length, _length - _read)]);
        Advance(n);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _length - _read)], cancellationToken).ConfigureAwait(false);
        Advance(n);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Advance(int n)
    {
        _read += n;
        if (_progress is not null && (_read - _lastReported >= Step || _read == _length))
        {
            _lastReported = _read;
            _progress.Report(new PushProgress(_id, PushProgress.Pushing, _offset + _read, _total));
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("the upload stream is read forwards only");

    public override void SetLength(long value) => throw new NotSupportedException("the upload stream is read-only");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("the upload stream is read-only");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
