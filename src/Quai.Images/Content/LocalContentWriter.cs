using System.Security.Cryptography;
using Quai.Oci;

namespace Quai.Images.Content;

/// <summary>An open ingest of a <see cref="LocalContentStore"/>; holds the ref's lock until disposed.</summary>
internal sealed class LocalContentWriter : IContentWriter
{
    private readonly LocalContentStore _store;
    private readonly string _dir;
    private readonly FileStream _data;
    private readonly Digest? _expected;
    private readonly long? _expectedSize;
    private IncrementalHash _hash;
    private bool _disposed;

    public LocalContentWriter(LocalContentStore store, string refKey, string dir, FileStream data, Digest? expected, long? expectedSize)
    {
        _store = store;
        Ref = refKey;
        _dir = dir;
        _data = data;
        _expected = expected;
        _expectedSize = expectedSize;
        _hash = NewHash();
    }

    public string Ref { get; }

    public long Offset { get; private set; }

    private IncrementalHash NewHash() => Oci.Digest.CreateHasher(_expected?.Algorithm ?? Oci.Digest.Sha256);

    /// <summary>Re-hashes the data an earlier writer left, so the digest covers it (containerd does the same).</summary>
    internal async Task ResumeAsync(CancellationToken cancellationToken)
    {
        _data.Position = 0;
        var buffer = new byte[1 << 16];
        int n;
        while ((n = await _data.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            _hash.AppendData(buffer, 0, n);
            Offset += n;
        }
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _data.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        _hash.AppendData(data.Span);
        Offset += data.Length;
    }

    public async Task TruncateAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _data.FlushAsync(cancellationToken).ConfigureAwait(false);
        _data.SetLength(0);
        _data.Position = 0;
        _hash.Dispose();
        _hash = NewHash();
        Offset = 0;
    }

    public Digest Digest() => Oci.Digest.FromHash(_expected?.Algorithm ?? Oci.Digest.Sha256, _hash.GetCurrentHash());

    public async Task<ContentInfo> CommitAsync(long? expectedSize = null, Digest? expectedDigest = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _data.FlushAsync(cancellationToken).ConfigureAwait(false);
        // fsync before the rename: a crash must never expose a blob whose bytes are not on disk.
        _data.Flush(flushToDisk: true);
        var size = Offset;
        var wantSize = expectedSize ?? _expectedSize;
        var wantDigest = expectedDigest ?? _expected;
        var actual = wantDigest is { } w && w.Algorithm != (_expected?.Algorithm ?? Oci.Digest.Sha256)
            ? await RehashAsync(w.Algorithm, cancellationToken).ConfigureAwait(false)
            : Digest();
        if (wantSize is { } ws && ws != size)
        {
            await DiscardAsync().ConfigureAwait(false);
            throw new ImageException(ImageErrorKind.FailedPrecondition, $"ingest \"{Ref}\": expected {ws} bytes{For(wantDigest)}, got {size}; the partial data was deleted, fetch it again");
        }
        if (wantDigest is { } wd && wd != actual)
        {
            await DiscardAsync().ConfigureAwait(false);
            throw new ImageException(ImageErrorKind.FailedPrecondition, $"ingest \"{Ref}\": expected digest {wd}, got {actual} ({size} bytes); the data was deleted, fetch it again");
        }
        var target = _store.BlobPath(actual);
        var targetDir = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(targetDir);
        if (File.Exists(target))
        {
            // Someone committed the same content first: ours is identical, keep theirs.
            await DiscardAsync().ConfigureAwait(false);
        }
        else
        {
            // Blobs are immutable: read-only for everyone, as containerd's local store makes them.
            File.SetUnixFileMode(Path.Combine(_dir, "data"), UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            File.Move(Path.Combine(_dir, "data"), target, overwrite: false);
            LocalContentStore.SyncDirectory(targetDir);
            await DiscardAsync().ConfigureAwait(false);
        }
        var info = new FileInfo(target);
        return new ContentInfo(actual, info.Length, info.LastWriteTimeUtc);
    }

    private static string For(Digest? digest) => digest is { } d ? $" for {d}" : "";

    private async Task<Digest> RehashAsync(string algorithm, CancellationToken cancellationToken)
    {
        using var hash = Oci.Digest.CreateHasher(algorithm);
        _data.Position = 0;
        var buffer = new byte[1 << 16];
        int n;
        while ((n = await _data.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, n);
        }
        return Oci.Digest.FromHash(algorithm, hash.GetCurrentHash());
    }

    /// <summary>Closes the writer and deletes the ingest directory before the ref lock is released.</summary>
    private ValueTask DiscardAsync() => CloseAsync(deleteIngest: true);

    public ValueTask DisposeAsync() => CloseAsync(deleteIngest: false);

    private async ValueTask CloseAsync(bool deleteIngest)
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            await _data.DisposeAsync().ConfigureAwait(false);
            _hash.Dispose();
            if (deleteIngest && Directory.Exists(_dir))
            {
                Directory.Delete(_dir, recursive: true);
            }
        }
        finally
        {
            _store.Release(Ref);
        }
    }
}
