using System.IO.Compression;
using Quai.Images.Content;
using Quai.Images.Layers;
using Quai.Images.Snapshots;
using Quai.Images.Store;
using Quai.Oci;
using Quai.Oci.Image;

namespace Quai.Images.Formats;

/// <summary>docker import (a rootfs tarball → a one-layer image) and docker export (a container's filesystem → a tar).</summary>
public static class ImageImporter
{
    /// <summary>
    /// Makes a one-layer image of the rootfs tar in <paramref name="rootfsTar"/> (plain, gzip or
    /// zstd: detected by magic), with <paramref name="changes"/> applied to its config, tagged
    /// <paramref name="reference"/> if given. The layer is stored gzip-compressed; its diff ID is
    /// the sha256 of the uncompressed tar.
    /// </summary>
    public static async Task<ImageRecord> ImportAsync(ImageStore store, Stream rootfsTar, string? reference = null, IEnumerable<string>? changes = null, string? message = null, Platform? platform = null, CancellationToken cancellationToken = default)
    {
        var config = new ContainerConfig();
        ConfigChanges.Apply(config, changes ?? []);
        var head = new byte[4];
        var got = await rootfsTar.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        var compression = LayerDecompressor.Detect(head.AsSpan(0, got));
        var tar = await LayerDecompressor.OpenAsync(new PrefixedStream(head.AsMemory(0, got), rootfsTar), compression, cancellationToken).ConfigureAwait(false);

        var refKey = "import-" + Guid.NewGuid().ToString("N");
        var writer = await store.Content.OpenWriterAsync(refKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        Digest diffId;
        ContentInfo layer;
        var committed = false;
        try
        {
            using var hash = Digest.CreateHasher(Digest.Sha256);
            var sink = new ContentWriterStream(writer);
            await using (sink.ConfigureAwait(false))
            {
                var gzip = new GZipStream(sink, CompressionLevel.Fastest, leaveOpen: true);
                await using (gzip.ConfigureAwait(false))
                {
                    var buffer = new byte[1 << 16];
                    int n;
                    while ((n = await tar.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        hash.AppendData(buffer, 0, n);
                        await gzip.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            diffId = Digest.FromHash(Digest.Sha256, hash.GetCurrentHash());
            layer = await writer.CommitAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            committed = true;
        }
        finally
        {
            await writer.DisposeAsync().ConfigureAwait(false);
            if (!committed)
            {
                // A failed import leaves no partial ingest behind (nobody would resume it).
                await store.Content.AbortAsync(refKey, CancellationToken.None).ConfigureAwait(false);
            }
        }

        var p = platform ?? PlatformSelector.Default;
        var now = DateTimeOffset.UtcNow;
        var imageConfig = new ImageConfig
        {
            Created = now,
            Architecture = p.Architecture,
            Os = p.Os,
            Variant = p.Variant,
            Config = config,
            RootFs = new RootFs { DiffIds = [diffId] },
            // As moby daemon/images/image_import.go: no created_by, the message as the comment.
            History = [new History { Created = now, Comment = message ?? "Imported from -" }],
        };
        var configDescriptor = await store.Content.WriteJsonAsync(imageConfig, OciJsonContext.Default.ImageConfig, MediaTypes.OciConfig, cancellationToken).ConfigureAwait(false);
        var manifest = new Manifest
        {
            MediaType = MediaTypes.OciManifest,
            Config = configDescriptor,
            Layers = [new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = layer.Digest, Size = layer.Size }],
        };
        var target = await store.Content.WriteJsonAsync(manifest, OciJsonContext.Default.Manifest, MediaTypes.OciManifest, cancellationToken).ConfigureAwait(false);
        return await store.AddAsync(target, reference is null ? [] : [reference], p, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the filesystem of snapshot <paramref name="key"/> (a container's rootfs) as a plain
    /// tar: its mounts are mounted read-only on a scratch directory under <paramref name="workDir"/>,
    /// archived, and unmounted again. Needs root (mount(2)).
    /// </summary>
    public static async Task<LayerDiffResult> ExportAsync(OverlaySnapshotter snapshots, string key, Stream output, string? workDir = null, CancellationToken cancellationToken = default)
    {
        var viewKey = "export-" + Guid.NewGuid().ToString("N");
        var info = await snapshots.StatAsync(key, cancellationToken).ConfigureAwait(false) ?? throw ImageException.NotFound($"snapshot \"{key}\" does not exist");
        IReadOnlyList<MountSpec> mounts;
        var ownView = false;
        if (info.Kind == SnapshotKind.Committed)
        {
            mounts = await snapshots.ViewAsync(viewKey, key, cancellationToken).ConfigureAwait(false);
            ownView = true;
        }
        else
        {
            mounts = await snapshots.MountsAsync(key, cancellationToken).ConfigureAwait(false);
        }
        var target = Path.Combine(workDir ?? Path.GetTempPath(), "quai-export-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(target);
        try
        {
            foreach (var m in mounts)
            {
                m.MountAt(target);
            }
            try
            {
                return await LayerDiffer.WriteTreeAsync(target, output, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                MountSpec.Unmount(target);
            }
        }
        finally
        {
            Directory.Delete(target);
            if (ownView)
            {
                await snapshots.RemoveAsync(viewKey, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
