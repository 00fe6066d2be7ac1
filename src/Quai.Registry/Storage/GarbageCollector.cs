using Quai.Oci;

namespace Quai.Registry.Storage;

/// <summary>
/// Mark and sweep over the registry's storage (as docker's `registry garbage-collect`): every
/// manifest revision of every repository is a root; it, its config, layers and child manifests are
/// kept; every other blob is deleted, and the repository links to deleted blobs are removed.
/// Run it while no one pushes: a blob uploaded but not yet named by a manifest would be collected.
/// </summary>
public static class GarbageCollector
{
    /// <summary>Deletes unreferenced blobs; returns the digests deleted.</summary>
    public static async Task<List<Digest>> CollectAsync(RepositoryStore store, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        var marked = new HashSet<Digest>();
        foreach (var (_, digest) in store.EnumerateRevisions())
        {
            if (!marked.Add(digest) || await store.Content.InfoAsync(digest, cancellationToken).ConfigureAwait(false) is null)
            {
                continue;
            }
            var body = await store.Content.ReadAllBytesAsync(digest, cancellationToken: cancellationToken).ConfigureAwait(false);
            var parsed = RepositoryStore.ParseManifest(body, null);
            marked.UnionWith(parsed.Blobs);
            marked.UnionWith(parsed.Manifests);
        }
        var deleted = new List<Digest>();
        foreach (var info in await store.Content.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!marked.Contains(info.Digest))
            {
                deleted.Add(info.Digest);
                if (!dryRun)
                {
                    await store.Content.DeleteAsync(info.Digest, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        if (!dryRun)
        {
            var gone = deleted.ToHashSet();
            foreach (var (_, digest, link) in store.EnumerateLayerLinks().ToList())
            {
                if (gone.Contains(digest))
                {
                    File.Delete(link);
                }
            }
        }
        return deleted;
    }
}
