using Quai.Oci;

namespace Quai.Images.Content;

/// <summary>Writes new blobs through resumable ingests (containerd core/content: Ingester).</summary>
public interface IContentIngester
{
    /// <summary>
    /// Opens the ingest named <paramref name="refKey"/>, resuming whatever an earlier writer left
    /// there (<see cref="IContentWriter.Offset"/> says how much). Throws <see cref="ImageException"/>
    /// with <see cref="ImageErrorKind.Unavailable"/> while another writer holds the same ref, and
    /// <see cref="ImageErrorKind.AlreadyExists"/> when <paramref name="expected"/> is already committed.
    /// </summary>
    Task<IContentWriter> OpenWriterAsync(string refKey, Digest? expected = null, long? expectedSize = null, CancellationToken cancellationToken = default);
}
