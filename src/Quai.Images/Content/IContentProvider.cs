using Quai.Oci;

namespace Quai.Images.Content;

/// <summary>Reads committed blobs (containerd core/content: Provider + InfoProvider).</summary>
public interface IContentProvider
{
    /// <summary>The blob's size and commit time, or null when the store does not hold it.</summary>
    Task<ContentInfo?> InfoAsync(Digest digest, CancellationToken cancellationToken = default);

    /// <summary>Opens a committed blob as a seekable read-only stream; throws <see cref="ImageException"/> (NotFound) if absent.</summary>
    Stream OpenRead(Digest digest);

    /// <summary>
    /// Reads a small blob (a manifest, index or config) whole; refuses blobs larger than
    /// <paramref name="maxSize"/> so a hostile descriptor cannot make the daemon buffer gigabytes.
    /// </summary>
    Task<byte[]> ReadAllBytesAsync(Digest digest, long maxSize = ContentLimits.MaxJsonBlobSize, CancellationToken cancellationToken = default);
}
