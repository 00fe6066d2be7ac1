using Quai.Oci;

namespace Quai.Images.Content;

/// <summary>Lists and removes blobs and ingests (containerd core/content: Manager + IngestManager).</summary>
public interface IContentManager
{
    /// <summary>Deletes a committed blob; returns false if it was not there.</summary>
    Task<bool> DeleteAsync(Digest digest, CancellationToken cancellationToken = default);

    /// <summary>Every committed blob.</summary>
    Task<IReadOnlyList<ContentInfo>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Every ingest, active or abandoned.</summary>
    Task<IReadOnlyList<IngestStatus>> ListIngestsAsync(CancellationToken cancellationToken = default);

    /// <summary>Drops an ingest's partial data; throws NotFound if there is none, Unavailable while a writer holds it.</summary>
    Task AbortAsync(string refKey, CancellationToken cancellationToken = default);
}
