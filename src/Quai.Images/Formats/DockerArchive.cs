using System.Text.Json;
using Quai.Images.Content;
using Quai.Images.Layers;
using Quai.Images.Store;
using Quai.Oci;
using Quai.Oci.Image;
using Quai.Oci.References;

namespace Quai.Images.Formats;

/// <summary>
/// docker save / docker load archives (moby image/tarexport). Written in docker 25+'s form: an
/// OCI image layout (oci-layout, index.json, blobs/) plus the legacy manifest.json and
/// repositories files, so both old and new readers load it. Read in both forms: with index.json
/// the OCI manifests are kept as they are (digests survive a round trip); without it (docker
/// before 25, skopeo's docker-archive) a Docker schema 2 manifest is built from manifest.json.
/// </summary>
public static class DockerArchive
{
    /// <summary>Writes the images <paramref name="names"/> resolve to (tags given by name are recorded) to <paramref name="output"/>.</summary>
    public static async Task SaveAsync(ImageStore store, IReadOnlyList<string> names, Stream output, CancellationToken cancellationToken = default)
    {
        var images = new Dictionary<Digest, (ImageRecord Image, List<string> Tags)>();
        foreach (var name in names)
        {
            var image = await store.ResolveAsync(name, cancellationToken).ConfigureAwait(false);
            if (!images.TryGetValue(image.Id, out var entry))
            {
                entry = (image, []);
                images[image.Id] = entry;
            }
            // A name that is a reference (not an ID) is saved as a tag; "busybox" means busybox:latest.
            if (ImageReference.TryParse(name, out var r) && !image.Id.ToString().Contains(name, StringComparison.Ordinal))
            {
                var tagged = r.Digest is null ? r.WithDefaultTag() : r;
                if (tagged.Tag is not null)
                {
                    entry.Tags.Add(tagged.WithTag(tagged.Tag).ToString());
                }
            }
        }
        var sink = new TarLayoutSink(output);
        await using (sink.ConfigureAwait(false))
        {
            var layoutImages = new List<LayoutImage>();
            foreach (var (image, tags) in images.Values)
            {
                var target = await IsCompleteAsync(store.Content, image.Target, cancellationToken).ConfigureAwait(false) ? image.Target : image.ManifestDescriptor;
                layoutImages.Add(new LayoutImage(target, tags));
            }
            await OciLayout.WriteAsync(sink, store.Content, layoutImages, cancellationToken).ConfigureAwait(false);

            var manifest = images.Values.Select(i => new DockerArchiveManifestEntry
            {
                Config = OciLayout.BlobPath(i.Image.Manifest.Config.Digest),
                RepoTags = i.Tags.Count == 0 ? null : i.Tags.Select(t => ImageReference.Parse(t).FamiliarString).ToList(),
                Layers = i.Image.Manifest.Layers.Select(l => OciLayout.BlobPath(l.Digest)).ToList(),
            }).ToList();
            await OciLayout.AddJsonAsync(sink, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(manifest, ImagesJsonContext.Default.ListDockerArchiveManifestEntry), cancellationToken).ConfigureAwait(false);

            var repositories = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
            foreach (var (image, tags) in images.Values)
            {
                var top = ImageStore.TopChainId(image);
                foreach (var t in tags.Select(ImageReference.Parse))
                {
                    if (top is { } chain && t.Tag is { } tag)
                    {
                        (repositories.TryGetValue(t.FamiliarName, out var repo) ? repo : repositories[t.FamiliarName] = new(StringComparer.Ordinal))[tag] = chain.Encoded;
                    }
                }
            }
            await OciLayout.AddJsonAsync(sink, "repositories", JsonSerializer.SerializeToUtf8Bytes(repositories, ImagesJsonContext.Default.DictionaryStringDictionaryStringString), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<bool> IsCompleteAsync(IContentProvider content, Descriptor root, CancellationToken cancellationToken)
    {
        var pending = new Stack<Descriptor>([root]);
        while (pending.TryPop(out var d))
        {
            if (await content.InfoAsync(d.Digest, cancellationToken).ConfigureAwait(false) is null)
            {
                return false;
            }
            foreach (var child in await OciLayout.ChildrenAsync(content, d, cancellationToken).ConfigureAwait(false))
            {
                pending.Push(child);
            }
        }
        return true;
    }

    /// <summary>
    /// Loads every image of a docker save archive into <paramref name="store"/> (blobs verified,
    /// tags applied) and returns them. The archive is unpacked under <paramref name="workDir"/> first.
    /// </summary>
    public static Task<IReadOnlyList<ImageRecord>> LoadAsync(ImageStore store, Stream archive, string? workDir = null, Platform? platform = null, CancellationToken cancellationToken = default) =>
        LoadAsync(store, archive, null, workDir, platform, cancellationToken);

    /// <summary>As <see cref="LoadAsync(ImageStore, Stream, string?, Platform?, CancellationToken)"/>, also collecting the names the archive itself gave (docker prints "Loaded image: NAME" for those only).</summary>
    public static async Task<IReadOnlyList<ImageRecord>> LoadAsync(ImageStore store, Stream archive, ICollection<string>? archiveNames, string? workDir = null, Platform? platform = null, CancellationToken cancellationToken = default)
    {
        var scratch = Path.Combine(workDir ?? Path.GetTempPath(), "quai-load-" + Guid.NewGuid().ToString("N"));
        try
        {
            await ArchiveExtractor.ExtractAsync(archive, scratch, cancellationToken).ConfigureAwait(false);
            var manifestPath = Path.Combine(scratch, "manifest.json");
            var entries = File.Exists(manifestPath) ? await ReadManifestAsync(manifestPath, cancellationToken).ConfigureAwait(false) : [];
            var loaded = new List<ImageRecord>();
            if (File.Exists(Path.Combine(scratch, "index.json")))
            {
                foreach (var image in await OciLayout.ReadDirectoryAsync(scratch, store.Content, cancellationToken).ConfigureAwait(false))
                {
                    var record = await store.AddAsync(image.Target, image.References, platform, cancellationToken).ConfigureAwait(false);
                    // Names docker wrote only into manifest.json (archives from older tools).
                    var extra = entries.Where(e => e.Config == OciLayout.BlobPath(record.Id)).SelectMany(e => e.RepoTags ?? []).ToList();
                    foreach (var n in image.References.Select(r => ImageReference.Parse(r).FamiliarString).Concat(extra).Distinct())
                    {
                        archiveNames?.Add(n);
                    }
                    loaded.Add(extra.Count == 0 ? record : await store.AddAsync(image.Target, extra, platform, cancellationToken).ConfigureAwait(false));
                }
                return loaded;
            }
            if (entries.Count == 0)
            {
                throw new ImageException(ImageErrorKind.InvalidArgument, "not a docker image archive: neither index.json nor manifest.json is in it");
            }
            foreach (var entry in entries)
            {
                var target = await ImportLegacyAsync(store.Content, scratch, entry, cancellationToken).ConfigureAwait(false);
                loaded.Add(await store.AddAsync(target, entry.RepoTags ?? [], platform, cancellationToken).ConfigureAwait(false));
                foreach (var n in entry.RepoTags ?? [])
                {
                    archiveNames?.Add(n);
                }
            }
            return loaded;
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    private static async Task<List<DockerArchiveManifestEntry>> ReadManifestAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return JsonSerializer.Deserialize(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false), ImagesJsonContext.Default.ListDockerArchiveManifestEntry) ?? [];
        }
        catch (JsonException e)
        {
            throw new ImageException(ImageErrorKind.InvalidArgument, $"manifest.json of the archive is not valid: {e.Message}", e);
        }
    }

    /// <summary>Stores a legacy entry's config and layer files as blobs and builds the Docker schema 2 manifest that names them.</summary>
    private static async Task<Descriptor> ImportLegacyAsync(IContentStore content, string dir, DockerArchiveManifestEntry entry, CancellationToken cancellationToken)
    {
        var config = await ImportFileAsync(content, dir, entry.Config, MediaTypes.DockerConfig, cancellationToken).ConfigureAwait(false);
        var layers = new List<Descriptor>();
        foreach (var layer in entry.Layers)
        {
            var full = Path.Combine(dir, TarPath.Clean(layer, "manifest.json layer"));
            var head = new byte[4];
            int got;
            using (var f = File.OpenRead(full))
            {
                got = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            }
            var mediaType = LayerDecompressor.Detect(head.AsSpan(0, got)) switch
            {
                LayerCompression.Gzip => MediaTypes.DockerLayerGzip,
                LayerCompression.Zstd => MediaTypes.OciLayerZstd,
                _ => MediaTypes.DockerLayer,
            };
            layers.Add(await ImportFileAsync(content, dir, layer, mediaType, cancellationToken).ConfigureAwait(false));
        }
        var manifest = new Manifest { MediaType = MediaTypes.DockerManifest, Config = config, Layers = layers };
        return await content.WriteJsonAsync(manifest, OciJsonContext.Default.Manifest, MediaTypes.DockerManifest, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Descriptor> ImportFileAsync(IContentStore content, string dir, string relative, string mediaType, CancellationToken cancellationToken)
    {
        var full = Path.Combine(dir, TarPath.Clean(relative, "manifest.json path"));
        if (!File.Exists(full))
        {
            throw new ImageException(ImageErrorKind.InvalidArgument, $"the archive's manifest.json names \"{relative}\", which is not in the archive");
        }
        Digest digest;
        using (var f = File.OpenRead(full))
        {
            using var hash = Digest.CreateHasher(Digest.Sha256);
            var buffer = new byte[1 << 16];
            int n;
            while ((n = await f.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, n);
            }
            digest = Digest.FromHash(Digest.Sha256, hash.GetCurrentHash());
        }
        var size = new FileInfo(full).Length;
        await content.WriteBlobAsync(digest, size, _ => Task.FromResult<Stream>(File.OpenRead(full)), null, cancellationToken).ConfigureAwait(false);
        return new Descriptor { MediaType = mediaType, Digest = digest, Size = size };
    }
}
