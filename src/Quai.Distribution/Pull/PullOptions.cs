using Quai.Oci.Image;

namespace Quai.Distribution.Pull;

/// <summary>What to pull beyond the reference: the platform, and a hook per finished layer.</summary>
public sealed class PullOptions
{
    /// <summary>The platform chosen from an index (default: linux and the host's architecture, as the image store picks it).</summary>
    public Platform? Platform { get; init; }

    /// <summary>
    /// Called once per layer as soon as it is committed to the content store, with its index in the
    /// manifest, while other layers may still be downloading: the unpacker can start early. Layers
    /// finish in any order; the hook must wait for a layer's parents itself if it needs them.
    /// </summary>
    public Func<Descriptor, int, CancellationToken, Task>? LayerCommitted { get; init; }
}
