using Quai.Oci;

namespace Quai.Images.Content;

/// <summary>
/// One open ingest. Data is appended; <see cref="CommitAsync"/> verifies and publishes it.
/// Disposing without committing keeps the partial data so a later writer can resume it
/// (call <see cref="IContentManager.AbortAsync"/> to drop it).
/// </summary>
public interface IContentWriter : IAsyncDisposable
{
    /// <summary>The ingest reference this writer holds.</summary>
    string Ref { get; }

    /// <summary>How many bytes the ingest holds (resumed data plus what this writer appended).</summary>
    long Offset { get; }

    /// <summary>Appends data at <see cref="Offset"/>.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Drops the data written so far and starts again at offset 0 (e.g. when a server ignored a range request).</summary>
    Task TruncateAsync(CancellationToken cancellationToken = default);

    /// <summary>The digest of the data written so far.</summary>
    Digest Digest();

    /// <summary>
    /// Flushes and fsyncs the data, checks its size and digest against the expected values (given
    /// here or when the writer was opened) and atomically renames it into the blob store. On a
    /// mismatch the partial data is deleted and <see cref="ImageException"/> (FailedPrecondition)
    /// names the expected and actual values. Committing content that already exists succeeds.
    /// </summary>
    Task<ContentInfo> CommitAsync(long? expectedSize = null, Digest? expectedDigest = null, CancellationToken cancellationToken = default);
}
