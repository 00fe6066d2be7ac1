using Quai.Oci.Image;

namespace Quai.Images.Store;

/// <summary>The image store's state file (images.json), replaced atomically on every change.</summary>
internal sealed class ImageDatabase
{
    /// <summary>Images by ID (the config digest, as docker names images).</summary>
    public Dictionary<string, StoredImage> Images { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Fully qualified references ("docker.io/library/busybox:latest", "…@sha256:…") → image ID.</summary>
    public Dictionary<string, string> References { get; set; } = new(StringComparer.Ordinal);
}
