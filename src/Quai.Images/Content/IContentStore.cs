using Quai.Oci;

namespace Quai.Images.Content;

/// <summary>A content-addressed blob store: provider, ingester and manager in one (containerd core/content.Store).</summary>
public interface IContentStore : IContentProvider, IContentIngester, IContentManager
{
    /// <summary>
    /// Makes sure the blob <paramref name="digest"/> of <paramref name="size"/> bytes is committed,
    /// fetching it with <paramref name="open"/> if needed. <paramref name="open"/> receives the
    /// offset to resume from and must return a stream positioned there (e.g. an HTTP range
    /// response). Concurrent callers for the same digest share one download: one writes, the
    /// others await the same task. <paramref name="progress"/> receives the total bytes held.
    /// </summary>
    Task<ContentInfo> WriteBlobAsync(Digest digest, long size, Func<long, Task<Stream>> open, IProgress<long>? progress = null, CancellationToken cancellationToken = default);
}
