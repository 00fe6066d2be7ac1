using System.Text.Json;
using Quai.Images.Content;
using Quai.Oci;
using Quai.Oci.Image;
using Quai.Oci.References;

namespace Quai.Images.Store;

/// <summary>
/// Images by ID and by reference, over a content store: tag, untag, remove with docker's rules,
/// resolve, list, inspect, history, and unpack into snapshots. State is one JSON file replaced
/// atomically (temp + fsync + rename), so a crash never leaves a half-written reference.
/// </summary>
public sealed partial class ImageStore
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly JsonDatabaseFile<ImageDatabase> _db;

    /// <summary>Opens the store whose state lives in <paramref name="root"/>/images.json.</summary>
    public ImageStore(string root, IContentStore content)
    {
        Root = Path.GetFullPath(root);
        Content = content;
        Directory.CreateDirectory(Root);
        _db = new JsonDatabaseFile<ImageDatabase>(Path.Combine(Root, "images.json"), StateJsonContext.Default.ImageDatabase);
    }

    /// <summary>The store's directory.</summary>
    public string Root { get; }

    /// <summary>The content store the images' blobs are in.</summary>
    public IContentStore Content { get; }

    /// <summary>
    /// Records the image <paramref name="target"/> (a manifest or an index whose blobs are in the
    /// content store), choosing the manifest for <paramref name="platform"/> (default: this
    /// machine's linux platform), and points <paramref name="references"/> at it (moving a tag
    /// away from an older image leaves that image untagged, as docker does).
    /// </summary>
    public async Task<ImageRecord> AddAsync(Descriptor target, IEnumerable<string> references, Platform? platform = null, CancellationToken cancellationToken = default)
    {
        var manifestDescriptor = await SelectManifestAsync(target, platform ?? PlatformSelector.Default, cancellationToken).ConfigureAwait(false);
        var manifest = await Content.ReadJsonAsync(manifestDescriptor.Digest, OciJsonContext.Default.Manifest, cancellationToken).ConfigureAwait(false);
        if (await Content.InfoAsync(manifest.Config.Digest, cancellationToken).ConfigureAwait(false) is null)
        {
            throw ImageException.NotFound($"config {manifest.Config.Digest} of manifest {manifestDescriptor.Digest} is not in the content store");
        }
        var id = manifest.Config.Digest.ToString();
        var refs = references.Select(Normalize).ToList();
        await LockedAsync(db =>
        {
            if (!db.Images.ContainsKey(id))
            {
                db.Images[id] = new StoredImage { Target = target, Manifest = manifestDescriptor, Added = DateTimeOffset.UtcNow };
            }
            foreach (var r in refs)
            {
                db.References[r] = id;
            }
            return (true, 0);
        }, cancellationToken).ConfigureAwait(false);
        return await ResolveAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The manifest for <paramref name="platform"/>: the target itself, or its pick from an index (nested indexes are followed).</summary>
    public async Task<Descriptor> SelectManifestAsync(Descriptor target, Platform platform, CancellationToken cancellationToken = default)
    {
        var current = target;
        for (var depth = 0; depth < 4; depth++)
        {
            if (MediaTypes.IsManifest(current.MediaType))
            {
                return current;
            }
            if (!MediaTypes.IsIndex(current.MediaType))
            {
                throw new ImageException(ImageErrorKind.InvalidArgument, $"{current.Digest} has media type \"{current.MediaType}\", which is neither an image manifest nor an index");
            }
            var index = await Content.ReadJsonAsync(current.Digest, OciJsonContext.Default.ImageIndex, cancellationToken).ConfigureAwait(false);
            current = index.Manifests.Any(m => MediaTypes.IsManifest(m.MediaType))
                ? PlatformSelector.Select(index, platform, $"image index {current.Digest}")
                : index.Manifests.FirstOrDefault(m => MediaTypes.IsIndex(m.MediaType)) ?? throw ImageException.NotFound($"image index {current.Digest} lists no manifests");
        }
        throw new ImageException(ImageErrorKind.InvalidArgument, $"image index {target.Digest} nests indexes too deeply");
    }

    /// <summary>Adds <paramref name="newReference"/> to the image <paramref name="source"/> names (docker tag).</summary>
    public async Task<ImageRecord> TagAsync(string source, string newReference, CancellationToken cancellationToken = default)
    {
        var image = await ResolveAsync(source, cancellationToken).ConfigureAwait(false);
        var r = ImageReference.Parse(newReference);
        if (r.Digest is not null)
        {
            throw new ImageException(ImageErrorKind.InvalidArgument, $"refusing to create a tag with a digest reference: \"{newReference}\"");
        }
        var key = r.WithDefaultTag().ToString();
        await LockedAsync(db =>
        {
            db.References[key] = image.Id.ToString();
            return (true, 0);
        }, cancellationToken).ConfigureAwait(false);
        return await ResolveAsync(image.Id.ToString(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes one reference; the image stays (possibly untagged). Returns false if the reference did not exist.</summary>
    public Task<bool> UntagAsync(string reference, CancellationToken cancellationToken = default)
    {
        var key = Normalize(reference);
        return LockedAsync(db => db.References.Remove(key) ? (true, true) : (false, false), cancellationToken);
    }

    /// <summary>
    /// Finds an image by reference ("busybox", "busybox:1.36", "reg:5000/app@sha256:…"), by full
    /// ID ("sha256:…") or by an unambiguous ID prefix ("3f57d9401f8d"), as docker resolves names.
    /// </summary>
    public async Task<ImageRecord> ResolveAsync(string nameOrId, CancellationToken cancellationToken = default)
    {
        // What is needed of the database is taken under the lock: the database object is shared.
        var (id, stored, references) = await LockedAsync(db =>
        {
            var found = FindId(db, nameOrId);
            return (false, (found, db.Images[found], db.References.Where(kv => kv.Value == found).Select(kv => kv.Key).ToList()));
        }, cancellationToken).ConfigureAwait(false);
        var manifest = await Content.ReadJsonAsync(stored.Manifest.Digest, OciJsonContext.Default.Manifest, cancellationToken).ConfigureAwait(false);
        var config = await Content.ReadJsonAsync(manifest.Config.Digest, OciJsonContext.Default.ImageConfig, cancellationToken).ConfigureAwait(false);
        var refs = references.Select(ImageReference.Parse).ToList();
        return new ImageRecord
        {
            Id = Digest.Parse(id),
            Target = stored.Target,
            ManifestDescriptor = stored.Manifest,
            Manifest = manifest,
            Config = config,
            RepoTags = refs.Where(r => r.Digest is null).Select(r => r.FamiliarString).Order(StringComparer.Ordinal).ToList(),
            RepoDigests = refs.Where(r => r.Digest is not null).Select(r => r.FamiliarName + "@" + r.Digest).Order(StringComparer.Ordinal).ToList(),
            Added = stored.Added,
        };
    }

    /// <summary>Every image, newest first.</summary>
    public async Task<IReadOnlyList<ImageRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        var ids = await LockedAsync(db => (false, db.Images.Keys.ToList()), cancellationToken).ConfigureAwait(false);
        var list = new List<ImageRecord>();
        foreach (var id in ids)
        {
            try
            {
                list.Add(await ResolveAsync(id, cancellationToken).ConfigureAwait(false));
            }
            catch (ImageException e) when (e.Kind == ImageErrorKind.NotFound)
            {
                // Removed (and its blobs collected) since the IDs were read: not in the list. A
                // blob missing under an image that is still there is damage, and is reported.
                if (await LockedAsync(db => (false, db.Images.ContainsKey(id)), cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }
            }
        }
        return list.OrderByDescending(i => i.Config.Created ?? i.Added).ToList();
    }

    private static string FindId(ImageDatabase db, string nameOrId)
    {
        if (db.Images.ContainsKey(nameOrId))
        {
            return nameOrId;
        }
        var hex = nameOrId.StartsWith(Digest.Sha256 + ":", StringComparison.Ordinal) ? nameOrId[(Digest.Sha256.Length + 1)..] : nameOrId;
        if (hex.Length is > 0 and <= 64 && hex.All(char.IsAsciiHexDigitLower))
        {
            var matches = db.Images.Keys.Where(k => k.AsSpan(Digest.Sha256.Length + 1).StartsWith(hex, StringComparison.Ordinal)).ToList();
            if (matches.Count == 1 && (hex.Length == 64 || !db.References.ContainsKey(SafeNormalize(nameOrId) ?? "")))
            {
                return matches[0];
            }
            if (matches.Count > 1)
            {
                throw new ImageException(ImageErrorKind.InvalidArgument, $"image ID prefix \"{nameOrId}\" is ambiguous: it matches {matches.Count} images; give more characters");
            }
        }
        if (SafeNormalize(nameOrId) is { } key)
        {
            if (db.References.TryGetValue(key, out var id))
            {
                return id;
            }
            // name@digest not recorded as such: any image whose manifest or index has that digest.
            var r = ImageReference.Parse(nameOrId);
            if (r.Digest is { } d)
            {
                var hit = db.Images.FirstOrDefault(kv => kv.Value.Target.Digest == d || kv.Value.Manifest.Digest == d);
                if (hit.Key is not null && db.References.Keys.Any(k => ImageReference.Parse(k).Name == r.Name))
                {
                    return hit.Key;
                }
            }
        }
        throw ImageException.NotFound($"No such image: {nameOrId}");
    }

    private static string? SafeNormalize(string reference) =>
        ImageReference.TryParse(reference, out var r) ? r.WithDefaultTag().ToString() : null;

    private static string Normalize(string reference)
    {
        if (!ImageReference.TryParse(reference, out var r, out var error))
        {
            throw new ImageException(ImageErrorKind.InvalidArgument, $"invalid reference \"{reference}\": {error}");
        }
        return r.WithDefaultTag().ToString();
    }

    private async Task<T> LockedAsync<T>(Func<ImageDatabase, (bool Changed, T Result)> action, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var db = await _db.LoadAsync(cancellationToken).ConfigureAwait(false);
            var (changed, result) = action(db);
            if (changed)
            {
                await _db.SaveAsync(db, durable: true, cancellationToken).ConfigureAwait(false);
            }
            return result;
        }
        catch
        {
            _db.Forget();
            throw;
        }
        finally
        {
            _lock.Release();
        }
    }
}
