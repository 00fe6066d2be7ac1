using System.Security.Cryptography;
using Quai.Oci;

namespace Quai.Images.Layers;

/// <summary>
/// A read-only pass-through that hashes and counts every byte read, and refuses to read past a
/// limit (so a decompression bomb stops at the limit, not at a full disk).
/// </summary>
internal sealed class HashingReadStream : Stream
{
    private readonly Stream _inner;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly long _limit;

    public HashingReadStream(Stream inner, long limit)
    {
        _inner = inner;
        _limit = limit;
    }

    /// <summary>Bytes read so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Called with each chunk read, after hashing (the PAX tap watches the tar headers here).</summary>
    public Action<ReadOnlySpan<byte>>? Observer { get; set; }

    /// <summary>The sha256 digest of everything read.</summary>
    public Digest Digest => Digest.FromHash(Digest.Sha256, _hash.GetCurrentHash());

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer);
        Account(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Account(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Account(ReadOnlySpan<byte> data)
    {
        BytesRead += data.Length;
        if (BytesRead > _limit)
        {
            throw new ImageException(ImageErrorKind.InvalidArgument, $"layer is larger than {_limit} bytes uncompressed; refusing it as a decompression bomb (raise MaxUncompressedSize if it is genuine)");
        }
        _hash.AppendData(data);
        Observer?.Invoke(data);
    }

    /// <summary>Reads to the end (tar padding after the end-of-archive blocks is part of the diff ID).</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        while (await ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
        {
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
