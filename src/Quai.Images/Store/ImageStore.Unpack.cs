using Quai.Images.Layers;
using Quai.Images.Snapshots;
using Quai.Oci;
using Quai.Oci.Image;

namespace Quai.Images.Store;

public sealed partial class ImageStore
{
    /// <summary>
    /// Unpacks the image's layers into committed snapshots named by chain ID (shared with every
    /// image that has the same layers), checking each layer's diff ID against the config's
    /// rootfs.diff_ids; returns the top chain ID (the parent for a container's snapshot), or null
    /// for an image without layers.
    /// </summary>
    public async Task<string?> UnpackAsync(ImageRecord image, OverlaySnapshotter snapshots, CancellationToken cancellationToken = default)
    {
        var diffIds = image.Config.RootFs.DiffIds;
        if (diffIds.Count != image.Manifest.Layers.Count)
        {
            throw new ImageException(ImageErrorKind.FailedPrecondition, $"image {image.Id}: the manifest has {image.Manifest.Layers.Count} layers but the config lists {diffIds.Count} diff_ids; the image is corrupt");
        }
        var chains = ChainId.ComputeAll(diffIds);
        string? parent = null;
        for (var i = 0; i < chains.Count; i++)
        {
            var chain = chains[i].ToString();
            if (await snapshots.StatAsync(chain, cancellationToken).ConfigureAwait(false) is null)
            {
                await UnpackLayerAsync(image, i, chain, parent, snapshots, cancellationToken).ConfigureAwait(false);
            }
            parent = chain;
        }
        return parent;
    }

    private async Task UnpackLayerAsync(ImageRecord image, int index, string chain, string? parent, OverlaySnapshotter snapshots, CancellationToken cancellationToken)
    {
        var layer = image.Manifest.Layers[index];
        var key = "extract-" + Guid.NewGuid().ToString("N") + " " + chain;
        await snapshots.PrepareAsync(key, parent, cancellationToken).ConfigureAwait(false);
        try
        {
            var fs = await snapshots.FsPathAsync(key, cancellationToken).ConfigureAwait(false);
            var lowers = await snapshots.ParentPathsAsync(key, cancellationToken).ConfigureAwait(false);
            var blob = Content.OpenRead(layer.Digest);
            LayerApplyResult result;
            await using (blob.ConfigureAwait(false))
            {
                result = await LayerApplier.ApplyAsync(blob, MediaTypes.LayerCompressionOf(layer.MediaType), fs, new LayerApplyOptions { OverlayWhiteouts = true, LowerDirs = lowers }, cancellationToken).ConfigureAwait(false);
            }
            var expected = image.Config.RootFs.DiffIds[index];
            if (result.DiffId != expected)
            {
                throw new ImageException(ImageErrorKind.FailedPrecondition, $"image {image.Id}: layer {index} ({layer.Digest}) unpacks to diff ID {result.DiffId} but the config says {expected}; the image is corrupt or was tampered with");
            }
            try
            {
                await snapshots.CommitAsync(chain, key, cancellationToken).ConfigureAwait(false);
            }
            catch (ImageException e) when (e.Kind == ImageErrorKind.AlreadyExists)
            {
                // Another unpack of the same layer won the race; its result is identical.
                await snapshots.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            if (await snapshots.StatAsync(key, CancellationToken.None).ConfigureAwait(false) is not null)
            {
                await snapshots.RemoveAsync(key, CancellationToken.None).ConfigureAwait(false);
            }
            throw;
        }
    }

    /// <summary>The chain ID an image's top layer is unpacked under (null without layers).</summary>
    public static Digest? TopChainId(ImageRecord image) =>
        image.Config.RootFs.DiffIds.Count == 0 ? null : ChainId.Compute(image.Config.RootFs.DiffIds);
}
