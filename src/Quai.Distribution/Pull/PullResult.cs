using Quai.Oci.Image;
using Quai.Oci.References;

namespace Quai.Distribution.Pull;

/// <summary>What a pull stored: the root the reference named and the platform's manifest, config and layers.</summary>
/// <param name="Reference">The reference pulled, with its tag defaulted.</param>
/// <param name="Root">The descriptor the reference resolved to (an index or a manifest).</param>
/// <param name="ManifestDescriptor">The platform's manifest descriptor (equal to Root when Root is a manifest).</param>
/// <param name="Manifest">The manifest.</param>
/// <param name="Layers">The layer descriptors, in order.</param>
public sealed record PullResult(ImageReference Reference, Descriptor Root, Descriptor ManifestDescriptor, Manifest Manifest, IReadOnlyList<Descriptor> Layers)
{
    /// <summary>The config descriptor.</summary>
    public Descriptor Config => Manifest.Config;
}
