using Quai.Oci;
using Quai.Oci.Image;

namespace Quai.Images.Store;

/// <summary>An image the store holds, resolved for one platform.</summary>
public sealed class ImageRecord
{
    /// <summary>The image ID: the config digest (docker's image ID).</summary>
    public required Digest Id { get; init; }

    /// <summary>What was pulled or loaded: a manifest, or an index holding it.</summary>
    public required Descriptor Target { get; init; }

    /// <summary>The platform manifest's descriptor.</summary>
    public required Descriptor ManifestDescriptor { get; init; }

    /// <summary>The platform manifest.</summary>
    public required Manifest Manifest { get; init; }

    /// <summary>The image config.</summary>
    public required ImageConfig Config { get; init; }

    /// <summary>"name:tag" references, familiar form ("busybox:latest").</summary>
    public required IReadOnlyList<string> RepoTags { get; init; }

    /// <summary>"name@digest" references, familiar form.</summary>
    public required IReadOnlyList<string> RepoDigests { get; init; }

    /// <summary>When the image was added to this store.</summary>
    public DateTimeOffset Added { get; init; }

    /// <summary>The sum of the layer blobs' sizes.</summary>
    public long Size => Manifest.Layers.Sum(l => l.Size);
}
