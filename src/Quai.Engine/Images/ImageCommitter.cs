using System.IO.Compression;
using Quai.Images.Content;
using Quai.Images.Formats;
using Quai.Images.Layers;
using Quai.Images.Store;
using Quai.Oci;
using Quai.Oci.Image;
using ApiConfig = Quai.Api.Models.ContainerConfig;

namespace Quai.Engine.Images;

/// <summary>docker commit: a container's writable layer becomes the top layer of a new image.</summary>
public static class ImageCommitter
{
    /// <summary>
    /// Writes the diff of <paramref name="upperDir"/> as a gzip layer, and an image whose config is the
    /// container's (with <paramref name="changes"/> applied) over the parent image's layers.
    /// </summary>
    public static async Task<ImageRecord> CommitAsync(ImageService images, ImageRecord parent, string containerId, ApiConfig container, string upperDir,
        string? reference, string? comment, string? author, IEnumerable<string> changes, CancellationToken ct)
    {
        var store = images.Store;
        using var hold = await images.HoldContentAsync(ct).ConfigureAwait(false);
        var refKey = "commit-" + Guid.NewGuid().ToString("N");
        var writer = await store.Content.OpenWriterAsync(refKey, cancellationToken: ct).ConfigureAwait(false);
        LayerDiffResult diff;
        ContentInfo layer;
        var committed = false;
        try
        {
            var sink = new ContentWriterStream(writer);
            await using (sink.ConfigureAwait(false))
            {
                var gzip = new GZipStream(sink, CompressionLevel.Fastest, leaveOpen: true);
                await using (gzip.ConfigureAwait(false))
                {
                    diff = await LayerDiffer.WriteDiffAsync(upperDir, gzip, ct).ConfigureAwait(false);
                }
            }
            layer = await writer.CommitAsync(cancellationToken: ct).ConfigureAwait(false);
            committed = true;
        }
        finally
        {
            await writer.DisposeAsync().ConfigureAwait(false);
            if (!committed)
            {
                await store.Content.AbortAsync(refKey, CancellationToken.None).ConfigureAwait(false);
            }
        }

        var now = DateTimeOffset.UtcNow;
        var config = new ContainerConfig
        {
            User = container.User,
            ExposedPorts = container.ExposedPorts?.ToDictionary(k => k.Key, _ => new EmptyObject()),
            Env = container.Env,
            Entrypoint = container.Entrypoint,
            Cmd = container.Cmd,
            Volumes = container.Volumes?.ToDictionary(k => k.Key, _ => new EmptyObject()),
            WorkingDir = container.WorkingDir,
            Labels = container.Labels,
            StopSignal = container.StopSignal,
            OnBuild = container.OnBuild,
            Shell = container.Shell,
            Healthcheck = container.Healthcheck is { } h ? new HealthConfig { Test = h.Test, Interval = h.Interval, Timeout = h.Timeout, StartPeriod = h.StartPeriod, Retries = (int?)h.Retries } : null,
        };
        ConfigChanges.Apply(config, changes);
        var history = new List<History>(parent.Config.History ?? []) { new() { Created = now, CreatedBy = string.Join(' ', (container.Entrypoint ?? []).Concat(container.Cmd ?? [])), Comment = comment, Author = author } };
        var imageConfig = new ImageConfig
        {
            Created = now,
            Author = author,
            Architecture = parent.Config.Architecture,
            Os = parent.Config.Os,
            Variant = parent.Config.Variant,
            Config = config,
            RootFs = new RootFs { DiffIds = [.. parent.Config.RootFs.DiffIds, diff.DiffId] },
            History = history,
            Container = containerId,
        };
        var configDescriptor = await store.Content.WriteJsonAsync(imageConfig, OciJsonContext.Default.ImageConfig, MediaTypes.OciConfig, ct).ConfigureAwait(false);
        var manifest = new Manifest
        {
            MediaType = MediaTypes.OciManifest,
            Config = configDescriptor,
            Layers = [.. parent.Manifest.Layers, new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = layer.Digest, Size = layer.Size }],
        };
        var target = await store.Content.WriteJsonAsync(manifest, OciJsonContext.Default.Manifest, MediaTypes.OciManifest, ct).ConfigureAwait(false);
        var image = await store.AddAsync(target, reference is null ? [] : [reference], null, ct).ConfigureAwait(false);
        await images.UnpackAsync(image, ct).ConfigureAwait(false);
        return image;
    }
}
