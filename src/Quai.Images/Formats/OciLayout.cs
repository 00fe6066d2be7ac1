using System.Text.Json;
using Quai.Images.Content;
using Quai.Oci;
using Quai.Oci.Image;
using Quai.Oci.References;

namespace Quai.Images.Formats;

/// <summary>
/// OCI image layouts (image-spec image-layout.md): <c>oci-layout</c>, <c>index.json</c> and
/// <c>blobs/&lt;alg&gt;/&lt;hex&gt;</c>, as a directory or a tar (oci-archive). Images are named in
/// index.json by <c>org.opencontainers.image.ref.name</c> (the tag, as skopeo and umoci read it)
/// and <c>io.containerd.image.name</c> (the full reference, as docker 25+ and containerd write it).
/// </summary>
public static class OciLayout
{
    /// <summary>annotations.md: the reference name of an index.json entry.</summary>
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    /// <summary>containerd's and docker's annotation for the full image name.</summary>
    public const string ImageNameAnnotation = "io.containerd.image.name";

    /// <summary>Writes <paramref name="images"/> and every blob they reach into layout directory <paramref name="dir"/>.</summary>
    public static async Task WriteDirectoryAsync(IContentProvider content, IEnumerable<LayoutImage> images, string dir, CancellationToken cancellationToken = default)
    {
        var sink = new DirectoryLayoutSink(dir);
        await using (sink.ConfigureAwait(false))
        {
            await WriteAsync(sink, content, images, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes an oci-archive: the layout as a tar stream.</summary>
    public static async Task WriteArchiveAsync(IContentProvider content, IEnumerable<LayoutImage> images, Stream output, CancellationToken cancellationToken = default)
    {
        var sink = new TarLayoutSink(output);
        await using (sink.ConfigureAwait(false))
        {
            await WriteAsync(sink, content, images, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static async Task<ImageIndex> WriteAsync(ILayoutSink sink, IContentProvider content, IEnumerable<LayoutImage> images, CancellationToken cancellationToken)
    {
        var index = new ImageIndex { MediaType = MediaTypes.OciIndex };
        foreach (var image in images)
        {
            await WriteBlobsAsync(sink, content, image.Target, cancellationToken).ConfigureAwait(false);
            if (image.References.Count == 0)
            {
                index.Manifests.Add(Copy(image.Target, null));
            }
            foreach (var name in image.References)
            {
                index.Manifests.Add(Copy(image.Target, ImageReference.TryParse(name, out var r) ? r.WithDefaultTag() : null));
            }
        }
        await AddJsonAsync(sink, "oci-layout", JsonSerializer.SerializeToUtf8Bytes(new OciLayoutHeader(), OciJsonContext.Default.OciLayoutHeader), cancellationToken).ConfigureAwait(false);
        await AddJsonAsync(sink, "index.json", JsonSerializer.SerializeToUtf8Bytes(index, OciJsonContext.Default.ImageIndex), cancellationToken).ConfigureAwait(false);
        return index;
    }

    internal static Task AddJsonAsync(ILayoutSink sink, string path, byte[] json, CancellationToken cancellationToken) =>
        sink.AddAsync(path, new MemoryStream(json, writable: false), cancellationToken);

    private static Descriptor Copy(Descriptor d, ImageReference? name) => new()
    {
        MediaType = d.MediaType,
        Digest = d.Digest,
        Size = d.Size,
        Platform = d.Platform,
        Annotations = name is null ? null : new Dictionary<string, string>
        {
            [ImageNameAnnotation] = name.ToString(),
            [RefNameAnnotation] = name.Tag ?? name.Digest?.ToString() ?? ImageReference.DefaultTag,
        },
    };

    /// <summary>Path of a blob inside a layout.</summary>
    public static string BlobPath(Digest digest) => "blobs/" + digest.Algorithm + "/" + digest.Encoded;

    private static async Task WriteBlobsAsync(ILayoutSink sink, IContentProvider content, Descriptor root, CancellationToken cancellationToken)
    {
        var pending = new Stack<Descriptor>([root]);
        while (pending.TryPop(out var d))
        {
            var path = BlobPath(d.Digest);
            if (sink.Contains(path))
            {
                continue;
            }
            if (await content.InfoAsync(d.Digest, cancellationToken).ConfigureAwait(false) is null)
            {
                throw ImageException.NotFound($"blob {d.Digest} ({d.MediaType}) is not in the content store; pull the image again to export it whole");
            }
            var blob = content.OpenRead(d.Digest);
            await using (blob.ConfigureAwait(false))
            {
                await sink.AddAsync(path, blob, cancellationToken).ConfigureAwait(false);
            }
            foreach (var child in await ChildrenAsync(content, d, cancellationToken).ConfigureAwait(false))
            {
                pending.Push(child);
            }
        }
    }

    internal static async Task<IReadOnlyList<Descriptor>> ChildrenAsync(IContentProvider content, Descriptor d, CancellationToken cancellationToken)
    {
        if (MediaTypes.IsIndex(d.MediaType))
        {
            return (await content.ReadJsonAsync(d.Digest, OciJsonContext.Default.ImageIndex, cancellationToken).ConfigureAwait(false)).Manifests;
        }
        if (MediaTypes.IsManifest(d.MediaType))
        {
            var m = await content.ReadJsonAsync(d.Digest, OciJsonContext.Default.Manifest, cancellationToken).ConfigureAwait(false);
            return [m.Config, .. m.Layers];
        }
        return [];
    }

    /// <summary>
    /// Imports every image of layout directory <paramref name="dir"/> into <paramref name="content"/>
    /// (each blob verified against its digest) and returns them with their names.
    /// </summary>
    public static async Task<IReadOnlyList<LayoutImage>> ReadDirectoryAsync(string dir, IContentStore content, CancellationToken cancellationToken = default)
    {
        var indexPath = Path.Combine(dir, "index.json");
        if (!File.Exists(Path.Combine(dir, "oci-layout")) || !File.Exists(indexPath))
        {
            throw new ImageException(ImageErrorKind.InvalidArgument, $"{dir} is not an OCI image layout (oci-layout or index.json is missing)");
        }
        ImageIndex index;
        try
        {
            index = JsonSerializer.Deserialize(await File.ReadAllBytesAsync(indexPath, cancellationToken).ConfigureAwait(false), OciJsonContext.Default.ImageIndex)!;
        }
        catch (JsonException e)
        {
            throw new ImageException(ImageErrorKind.InvalidArgument, $"{indexPath} is not a valid image index: {e.Message}", e);
        }
        var images = new Dictionary<Digest, (Descriptor Target, List<string> Names)>();
        foreach (var entry in index.Manifests)
        {
            await ImportBlobsAsync(dir, content, entry, cancellationToken).ConfigureAwait(false);
            var target = new Descriptor { MediaType = entry.MediaType, Digest = entry.Digest, Size = entry.Size, Platform = entry.Platform };
            if (!images.TryGetValue(entry.Digest, out var image))
            {
                image = (target, []);
                images[entry.Digest] = image;
            }
            if (NameOf(entry) is { } name)
            {
                image.Names.Add(name);
            }
        }
        return images.Values.Select(i => new LayoutImage(i.Target, i.Names)).ToList();
    }

    /// <summary>The reference an index.json entry names: the full name if annotated, else a ref.name that is itself a reference.</summary>
    private static string? NameOf(Descriptor entry)
    {
        if (entry.Annotations is null)
        {
            return null;
        }
        if (entry.Annotations.TryGetValue(ImageNameAnnotation, out var full) && ImageReference.TryParse(full, out _))
        {
            return full;
        }
        // A bare tag ("latest") names no repository; only a full reference is usable as a name.
        return entry.Annotations.TryGetValue(RefNameAnnotation, out var refName) && refName.Contains('/', StringComparison.Ordinal) && ImageReference.TryParse(refName, out _) ? refName : null;
    }

    private static async Task ImportBlobsAsync(string dir, IContentStore content, Descriptor root, CancellationToken cancellationToken)
    {
        var pending = new Stack<Descriptor>([root]);
        var seen = new HashSet<Digest>();
        while (pending.TryPop(out var d))
        {
            if (!seen.Add(d.Digest))
            {
                continue;
            }
            var file = Path.Combine(dir, "blobs", d.Digest.Algorithm, d.Digest.Encoded);
            if (!File.Exists(file))
            {
                // Other platforms of an index may be left out of a layout; the image's own manifest may not.
                if (d.Digest == root.Digest || !MediaTypes.IsManifest(d.MediaType))
                {
                    if (await content.InfoAsync(d.Digest, cancellationToken).ConfigureAwait(false) is null)
                    {
                        throw ImageException.NotFound($"blob {d.Digest} ({d.MediaType}) is missing from the layout {dir}");
                    }
                }
                continue;
            }
            await content.WriteBlobAsync(d.Digest, d.Size, _ => Task.FromResult<Stream>(File.OpenRead(file)), null, cancellationToken).ConfigureAwait(false);
            foreach (var child in await ChildrenAsync(content, d, cancellationToken).ConfigureAwait(false))
            {
                pending.Push(child);
            }
        }
    }

    /// <summary>Imports an oci-archive (a layout as tar), unpacking it under <paramref name="workDir"/> first.</summary>
    public static async Task<IReadOnlyList<LayoutImage>> ReadArchiveAsync(Stream archive, IContentStore content, string? workDir = null, CancellationToken cancellationToken = default)
    {
        var scratch = Path.Combine(workDir ?? Path.GetTempPath(), "quai-layout-" + Guid.NewGuid().ToString("N"));
        try
        {
            await ArchiveExtractor.ExtractAsync(archive, scratch, cancellationToken).ConfigureAwait(false);
            return await ReadDirectoryAsync(scratch, content, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }
}
