using System.Globalization;
using Quai.Images.Layers;
using Quai.Images.Snapshots;

namespace Quai.Images.Store;

public sealed partial class ImageStore
{
    /// <summary>The image as docker's GET /images/{name}/json shows it; its size from <paramref name="snapshots"/> when given (<see cref="LayerSizesAsync"/>).</summary>
    public async Task<ImageInspect> InspectAsync(string nameOrId, OverlaySnapshotter? snapshots = null, CancellationToken cancellationToken = default)
    {
        var image = await ResolveAsync(nameOrId, cancellationToken).ConfigureAwait(false);
        var inspect = ToInspect(image);
        inspect.Size = (await LayerSizesAsync(image, snapshots, cancellationToken).ConfigureAwait(false)).Sum();
        return inspect;
    }

    /// <summary>
    /// The size of each of the image's layers as docker shows it: the bytes of file content it
    /// unpacked to (moby's layer DiffSize), kept by <paramref name="snapshots"/> when the layer was
    /// unpacked. A layer that is not unpacked (or <paramref name="snapshots"/> is null) counts its
    /// blob's size, the compressed size, as an image in a registry does.
    /// </summary>
    public static async Task<IReadOnlyList<long>> LayerSizesAsync(ImageRecord image, OverlaySnapshotter? snapshots, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        var blobs = image.Manifest.Layers.Select(l => l.Size).ToList();
        if (snapshots is null || image.Config.RootFs.DiffIds.Count != blobs.Count || blobs.Count == 0)
        {
            return blobs;
        }
        var chains = ChainId.ComputeAll(image.Config.RootFs.DiffIds).Select(c => c.ToString()).ToList();
        var unpacked = await snapshots.CommittedSizesAsync(chains, cancellationToken).ConfigureAwait(false);
        return [.. blobs.Select((b, i) => unpacked[i] ?? b)];
    }

    /// <summary>Maps a resolved image to docker's inspect shape (its size: the layer blobs').</summary>
    public static ImageInspect ToInspect(ImageRecord image) => new()
    {
        Id = image.Id.ToString(),
        RepoTags = [.. image.RepoTags],
        RepoDigests = [.. image.RepoDigests],
        Comment = image.Config.History?.LastOrDefault()?.Comment ?? "",
        Created = image.Config.Created?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        DockerVersion = image.Config.DockerVersion ?? "",
        Author = image.Config.Author ?? "",
        Config = image.Config.Config,
        Architecture = image.Config.Architecture,
        Variant = image.Config.Variant,
        Os = image.Config.Os,
        Size = image.Size,
        RootFs = new ImageInspectRootFs { Layers = image.Config.RootFs.DiffIds.Select(d => d.ToString()).ToList() },
        Metadata = new ImageInspectMetadata { LastTagTime = image.Added.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture) },
    };

    /// <summary>
    /// The image's history as docker's GET /images/{name}/history shows it: newest first, the top
    /// entry carrying the image ID and tags, each step that made a layer carrying that layer's size.
    /// </summary>
    public async Task<IReadOnlyList<ImageHistoryItem>> HistoryAsync(string nameOrId, OverlaySnapshotter? snapshots = null, CancellationToken cancellationToken = default)
    {
        var image = await ResolveAsync(nameOrId, cancellationToken).ConfigureAwait(false);
        var sizes = await LayerSizesAsync(image, snapshots, cancellationToken).ConfigureAwait(false);
        var items = new List<ImageHistoryItem>();
        var layer = 0;
        var history = image.Config.History ?? [];
        if (history.Count == 0)
        {
            // An image without history (some importers write none): one line per layer.
            history = image.Manifest.Layers.Select(_ => new Oci.Image.History { Created = image.Config.Created }).ToList();
        }
        foreach (var h in history)
        {
            long size = 0;
            if (h.EmptyLayer != true && layer < image.Manifest.Layers.Count)
            {
                size = sizes[layer++];
            }
            items.Add(new ImageHistoryItem
            {
                Created = (h.Created ?? image.Config.Created ?? DateTimeOffset.UnixEpoch).ToUnixTimeSeconds(),
                CreatedBy = h.CreatedBy ?? "",
                Comment = h.Comment ?? "",
                Size = size,
            });
        }
        items.Reverse();
        if (items.Count > 0)
        {
            items[0].Id = image.Id.ToString();
            items[0].Tags = [.. image.RepoTags];
        }
        return items;
    }
}
