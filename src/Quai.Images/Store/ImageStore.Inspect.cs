using System.Globalization;

namespace Quai.Images.Store;

public sealed partial class ImageStore
{
    /// <summary>The image as docker's GET /images/{name}/json shows it.</summary>
    public async Task<ImageInspect> InspectAsync(string nameOrId, CancellationToken cancellationToken = default)
    {
        var image = await ResolveAsync(nameOrId, cancellationToken).ConfigureAwait(false);
        return ToInspect(image);
    }

    /// <summary>Maps a resolved image to docker's inspect shape.</summary>
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
    public async Task<IReadOnlyList<ImageHistoryItem>> HistoryAsync(string nameOrId, CancellationToken cancellationToken = default)
    {
        var image = await ResolveAsync(nameOrId, cancellationToken).ConfigureAwait(false);
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
                size = image.Manifest.Layers[layer++].Size;
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
