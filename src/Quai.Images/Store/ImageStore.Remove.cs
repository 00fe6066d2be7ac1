using Quai.Images.Content;
using Quai.Images.Layers;
using Quai.Images.Snapshots;
using Quai.Oci;
using Quai.Oci.Image;
using Quai.Oci.References;

namespace Quai.Images.Store;

public sealed partial class ImageStore
{
    /// <summary>
    /// Removes an image or one of its references with docker's rules (daemon/images/image_delete.go):
    /// a reference of an image that has others is only untagged; the last reference or an ID
    /// deletes the image, unless a container uses it (a stopped one needs <paramref name="force"/>,
    /// a running one always blocks); an ID with several repositories needs force. Conflicts name
    /// the image and the container. <paramref name="usedBy"/> tells which containers use an image ID.
    /// </summary>
    public async Task<IReadOnlyList<ImageDeleteItem>> RemoveAsync(string nameOrId, bool force, Func<Digest, IReadOnlyList<ImageUse>> usedBy, CancellationToken cancellationToken = default)
    {
        var image = await ResolveAsync(nameOrId, cancellationToken).ConfigureAwait(false);
        var id = image.Id.ToString();
        var shortId = image.Id.Encoded[..12];
        var named = SafeNormalize(nameOrId) is { } key && await LockedAsync(db => (false, db.References.ContainsKey(key)), cancellationToken).ConfigureAwait(false)
            && !(id.Contains(nameOrId, StringComparison.Ordinal) && nameOrId.All(char.IsAsciiHexDigitLower));
        var uses = usedBy(image.Id);
        var running = uses.FirstOrDefault(u => u.Running);
        var stopped = uses.FirstOrDefault(u => !u.Running);
        var items = new List<ImageDeleteItem>();

        if (named)
        {
            var refKey = SafeNormalize(nameOrId)!;
            var others = await LockedAsync(db => (false, db.References.Count(kv => kv.Value == id && kv.Key != refKey)), cancellationToken).ConfigureAwait(false);
            if (others == 0 && !force && (running ?? stopped) is { } user)
            {
                throw new ImageException(ImageErrorKind.Conflict, $"conflict: unable to remove repository reference \"{nameOrId}\" (must force) - container {Short(user.ContainerId)} is using its referenced image {shortId}");
            }
            // Untag; if only digest references of the same repository remain, they go too
            // (image_delete.go removeImageRef: "busybox@sha256:…" does not keep an untagged image alive).
            var repository = ImageReference.Parse(refKey).Name;
            var untagged = await LockedAsync(db =>
            {
                var removed = new List<string> { refKey };
                db.References.Remove(refKey);
                var rest = db.References.Where(kv => kv.Value == id).Select(kv => kv.Key).ToList();
                if (rest.Count > 0 && rest.All(r => ImageReference.Parse(r) is { Digest: not null } d && d.Name == repository))
                {
                    rest.ForEach(r => db.References.Remove(r));
                    removed.AddRange(rest.Order(StringComparer.Ordinal));
                }
                return (true, (Removed: removed, Remaining: db.References.Count(kv => kv.Value == id)));
            }, cancellationToken).ConfigureAwait(false);
            items.AddRange(untagged.Removed.Select(r => ImageReference.Parse(r)).Select(r => new ImageDeleteItem(Untagged: r.Digest is { } dg ? r.FamiliarName + "@" + dg : r.FamiliarString)));
            if (untagged.Remaining > 0 || running is not null || stopped is not null)
            {
                return items;
            }
        }
        else
        {
            if (running is not null)
            {
                throw new ImageException(ImageErrorKind.Conflict, $"conflict: unable to delete {shortId} (cannot be forced) - image is being used by running container {Short(running.ContainerId)}");
            }
            if (stopped is not null && !force)
            {
                throw new ImageException(ImageErrorKind.Conflict, $"conflict: unable to delete {shortId} (must be forced) - image is being used by stopped container {Short(stopped.ContainerId)}");
            }
            var repositories = image.RepoTags.Concat(image.RepoDigests).Select(r => ImageReference.Parse(r).Name).Distinct(StringComparer.Ordinal).Count();
            if (repositories > 1 && !force)
            {
                throw new ImageException(ImageErrorKind.Conflict, $"conflict: unable to delete {shortId} (must be forced) - image is referenced in multiple repositories");
            }
            var removed = await LockedAsync(db =>
            {
                var refs = db.References.Where(kv => kv.Value == id).Select(kv => kv.Key).ToList();
                refs.ForEach(r => db.References.Remove(r));
                return (refs.Count > 0, refs);
            }, cancellationToken).ConfigureAwait(false);
            items.AddRange(removed.Order(StringComparer.Ordinal).Select(r => new ImageDeleteItem(Untagged: ImageReference.Parse(r).FamiliarString)));
        }
        await LockedAsync(db => (db.Images.Remove(id), 0), cancellationToken).ConfigureAwait(false);
        items.Add(new ImageDeleteItem(Deleted: id));
        return items;
    }

    private static string Short(string containerId) => containerId.Length > 12 ? containerId[..12] : containerId;

    /// <summary>
    /// Deletes the blobs no image reaches any more (<see cref="ContentGarbageCollector"/>) and, if
    /// <paramref name="snapshots"/> is given, the committed layer snapshots no image's chain uses
    /// and no container's snapshot sits on. Returns the deleted blob digests.
    /// </summary>
    public async Task<IReadOnlyList<Digest>> GarbageCollectAsync(OverlaySnapshotter? snapshots = null, TimeSpan gracePeriod = default, CancellationToken cancellationToken = default)
    {
        var images = await LockedAsync(db => (false, db.Images.Values.ToList()), cancellationToken).ConfigureAwait(false);
        var roots = images.SelectMany(i => new[] { i.Target, i.Manifest }).ToList();
        if (snapshots is not null)
        {
            var chains = new HashSet<string>(StringComparer.Ordinal);
            foreach (var image in images)
            {
                var manifest = await Content.ReadJsonAsync(image.Manifest.Digest, OciJsonContext.Default.Manifest, cancellationToken).ConfigureAwait(false);
                var config = await Content.ReadJsonAsync(manifest.Config.Digest, OciJsonContext.Default.ImageConfig, cancellationToken).ConfigureAwait(false);
                chains.UnionWith(ChainId.ComputeAll(config.RootFs.DiffIds).Select(c => c.ToString()));
            }
            bool removedAny;
            do
            {
                removedAny = false;
                var all = await snapshots.WalkAsync(cancellationToken).ConfigureAwait(false);
                var parents = all.Where(s => s.Parent is not null).Select(s => s.Parent!).ToHashSet(StringComparer.Ordinal);
                foreach (var s in all.Where(s => s.Kind == SnapshotKind.Committed && Digest.TryParse(s.Key, out _) && !chains.Contains(s.Key) && !parents.Contains(s.Key)))
                {
                    try
                    {
                        await snapshots.RemoveAsync(s.Key, cancellationToken).ConfigureAwait(false);
                        removedAny = true;
                    }
                    catch (ImageException e) when (e.Kind is ImageErrorKind.Conflict or ImageErrorKind.NotFound)
                    {
                        // A snapshot made on it, or another collection removed it, since the walk.
                    }
                }
            }
            while (removedAny);
        }
        return await new ContentGarbageCollector(Content).CollectAsync(roots, gracePeriod, cancellationToken).ConfigureAwait(false);
    }
}
