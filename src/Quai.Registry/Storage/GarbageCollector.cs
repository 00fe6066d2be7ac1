using Quai.Oci;

namespace Quai.Registry.Storage;

/// <summary>
/// Mark and sweep over the registry's storage (as docker's `registry garbage-collect`): every
/// manifest revision of every repository is a root; it, its config, layers and child manifests are
/// kept; every other blob is deleted, the repository links to deleted blobs are removed, and upload
/// sessions abandoned for a week are purged.
/// Run it while no one pushes: a blob uploaded but not yet named by a manifest would be collected.
/// </summary>
public static class GarbageCollector
{
    /// <summary>Upload sessions untouched this long are abandoned and removed (docker's registry waits a week).</summary>
    public static readonly TimeSpan AbandonedUploadAge = TimeSpan.FromDays(7);

    /// <summary>Deletes unreferenced blobs and abandoned upload sessions; returns the digests deleted.</summary>
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
            store.PurgeUploads(AbandonedUploadAge);
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
