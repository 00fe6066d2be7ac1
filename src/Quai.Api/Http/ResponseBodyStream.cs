namespace Quai.Api.Http;

/// <summary>The write-only stream of <see cref="HttpResponse.Body"/>; framing is the response's.</summary>
internal sealed class ResponseBodyStream : Stream
{
    private readonly HttpResponse _response;

    public ResponseBodyStream(HttpResponse response)
    {
        _response = response;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _response.WriteCoreAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _response.WriteCoreAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous writers (a TarWriter, a GZipStream) get the same stream, blocking.
    public override void Write(byte[] buffer, int offset, int count) =>
        _response.WriteCoreAsync(buffer.AsMemory(offset, count), default).AsTask().GetAwaiter().GetResult();

    public override void Write(ReadOnlySpan<byte> buffer) => Write(buffer.ToArray(), 0, buffer.Length);

    public override Task FlushAsync(CancellationToken cancellationToken) => _response.FlushCoreAsync(cancellationToken).AsTask();

    public override void Flush() => _response.FlushCoreAsync(default).AsTask().GetAwaiter().GetResult();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
