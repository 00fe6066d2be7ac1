using Quai.Oci.Image;

namespace Quai.Images.Store;

/// <summary>One image: what was pulled or loaded (manifest or index) and the manifest chosen for this platform.</summary>
internal sealed class StoredImage
{
    public Descriptor Target { get; set; } = new();

    public Descriptor Manifest { get; set; } = new();

    public DateTimeOffset Added { get; set; }
}
