using Quai.Images.Content;
using Quai.Images.Tests.Layers;
using Quai.Oci;
using Quai.Oci.Image;

namespace Quai.Images.Tests;

/// <summary>Builds small images straight into a content store.</summary>
internal static class TestImages
{
    /// <summary>An OCI image of gzip layers made from <paramref name="layers"/> (uncompressed tars); returns the manifest descriptor.</summary>
    public static async Task<Descriptor> CreateAsync(IContentStore content, IReadOnlyList<byte[]> layers, string architecture = "amd64", string? cmd = null, IReadOnlyList<Digest>? diffIdsOverride = null)
    {
        var layerDescriptors = new List<Descriptor>();
        foreach (var tar in layers)
        {
            layerDescriptors.Add(await content.WriteBytesAsync(TarBuilder.Compress(tar, LayerCompression.Gzip), MediaTypes.OciLayerGzip));
        }
        var created = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var config = new ImageConfig
        {
            Created = created,
            Architecture = architecture,
            Os = "linux",
            Config = new ContainerConfig { Cmd = [cmd ?? "/bin/sh"], Env = ["PATH=/bin"] },
            RootFs = new RootFs { DiffIds = diffIdsOverride?.ToList() ?? layers.Select(l => Digest.FromBytes(l)).ToList() },
            History = [.. layers.Select((_, i) => new History { Created = created, CreatedBy = $"step {i}" }), new History { Created = created, CreatedBy = "CMD", EmptyLayer = true }],
        };
        var configDescriptor = await content.WriteJsonAsync(config, OciJsonContext.Default.ImageConfig, MediaTypes.OciConfig);
        var manifest = new Manifest { MediaType = MediaTypes.OciManifest, Config = configDescriptor, Layers = layerDescriptors };
        var descriptor = await content.WriteJsonAsync(manifest, OciJsonContext.Default.Manifest, MediaTypes.OciManifest);
        descriptor.Platform = new Platform { Os = "linux", Architecture = architecture };
        return descriptor;
    }

    public static byte[] BaseLayer() => new TarBuilder().Dir("etc").File("etc/hostname", "base\n").Dir("bin").File("bin/sh", "#!").Build();

    public static byte[] AppLayer(string content = "app\n") => new TarBuilder().Dir("app").File("app/run", content).File("etc/.wh.hostname", "").Build();
}
