using Quai.Images.Content;

namespace Quai.Images.Formats;

/// <summary>A write-only stream over an <see cref="IContentWriter"/> (for compressors that write into the store).</summary>
public sealed class ContentWriterStream : Stream
{
    private readonly IContentWriter _writer;

    public ContentWriterStream(IContentWriter writer)
    {
        _writer = writer;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _writer.Offset;
    public override long Position { get => _writer.Offset; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) =>
        _writer.WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _writer.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _writer.WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
