using System.Text.Json;
using Quai.Oci;
using Quai.Oci.Image;

namespace Quai.Images.Content;

/// <summary>
/// Mark and sweep over a content store: every blob reachable from the root descriptors (through
/// indexes, manifests, configs and layers) is kept, every other committed blob is deleted.
/// Ingests in progress are never touched.
/// </summary>
public sealed class ContentGarbageCollector
{
    private readonly IContentStore _store;

    /// <summary>Collects garbage in <paramref name="store"/>.</summary>
    public ContentGarbageCollector(IContentStore store)
    {
        _store = store;
    }

    /// <summary>The digests reachable from <paramref name="roots"/> that the store holds or names.</summary>
    public async Task<HashSet<Digest>> MarkAsync(IEnumerable<Descriptor> roots, CancellationToken cancellationToken = default)
    {
        var reachable = new HashSet<Digest>();
        var pending = new Stack<Descriptor>(roots);
        while (pending.TryPop(out var d))
        {
            if (!reachable.Add(d.Digest))
            {
                continue;
            }
            // A blob that is not here (the other platforms of a pulled index) has no children to walk.
            if (await _store.InfoAsync(d.Digest, cancellationToken).ConfigureAwait(false) is null)
            {
                continue;
            }
            foreach (var child in await ChildrenAsync(d, cancellationToken).ConfigureAwait(false))
            {
                pending.Push(child);
            }
        }
        return reachable;
    }

    /// <summary>
    /// Deletes every blob not reachable from <paramref name="roots"/> and not committed within
    /// <paramref name="gracePeriod"/> (a blob a pull has just written but not yet tagged);
    /// returns the deleted digests.
    /// </summary>
    public async Task<IReadOnlyList<Digest>> CollectAsync(IEnumerable<Descriptor> roots, TimeSpan gracePeriod = default, CancellationToken cancellationToken = default)
    {
        var reachable = await MarkAsync(roots, cancellationToken).ConfigureAwait(false);
        var cutoff = DateTimeOffset.UtcNow - gracePeriod;
        var deleted = new List<Digest>();
        foreach (var info in await _store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!reachable.Contains(info.Digest) && info.CommittedAt <= cutoff && await _store.DeleteAsync(info.Digest, cancellationToken).ConfigureAwait(false))
            {
                deleted.Add(info.Digest);
            }
        }
        return deleted;
    }

    /// <summary>The descriptors a manifest or index refers to (image-spec manifest.md, image-index.md).</summary>
    public async Task<IReadOnlyList<Descriptor>> ChildrenAsync(Descriptor descriptor, CancellationToken cancellationToken = default)
    {
        if (MediaTypes.IsIndex(descriptor.MediaType))
        {
            var index = await _store.ReadJsonAsync(descriptor.Digest, Oci.OciJsonContext.Default.ImageIndex, cancellationToken).ConfigureAwait(false);
            return index.Manifests;
        }
        if (MediaTypes.IsManifest(descriptor.MediaType))
        {
            var manifest = await _store.ReadJsonAsync(descriptor.Digest, Oci.OciJsonContext.Default.Manifest, cancellationToken).ConfigureAwait(false);
            return [manifest.Config, .. manifest.Layers];
        }
        if (descriptor.MediaType is "" or "application/json" or "application/octet-stream")
        {
            return await SniffAsync(descriptor.Digest, cancellationToken).ConfigureAwait(false);
        }
        return [];
    }

    /// <summary>
    /// Descriptors without a usable media type (an OCI layout's index.json entry written by an
    /// older tool): decide by the blob's own mediaType field or shape (image-spec manifest.md says
    /// mediaType SHOULD be set, so it may be missing).
    /// </summary>
    private async Task<IReadOnlyList<Descriptor>> SniffAsync(Digest digest, CancellationToken cancellationToken)
    {
        var info = await _store.InfoAsync(digest, cancellationToken).ConfigureAwait(false);
        if (info is null || info.Size > ContentLimits.MaxJsonBlobSize)
        {
            return [];
        }
        var bytes = await _store.ReadAllBytesAsync(digest, ContentLimits.MaxJsonBlobSize, cancellationToken).ConfigureAwait(false);
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return [];
            }
            if (doc.RootElement.TryGetProperty("manifests", out _))
            {
                return JsonSerializer.Deserialize(bytes, Oci.OciJsonContext.Default.ImageIndex)!.Manifests;
            }
            if (doc.RootElement.TryGetProperty("config", out var config) && config.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("layers", out _))
            {
                var m = JsonSerializer.Deserialize(bytes, Oci.OciJsonContext.Default.Manifest)!;
                return [m.Config, .. m.Layers];
            }
        }
        catch (JsonException)
        {
            // Not JSON: a leaf blob.
        }
        return [];
    }
}
