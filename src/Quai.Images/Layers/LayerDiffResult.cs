using Quai.Oci;

namespace Quai.Images.Layers;

/// <summary>A layer tar that was written.</summary>
/// <param name="DiffId">sha256 of the tar as written (uncompressed).</param>
/// <param name="Size">Its length in bytes.</param>
public sealed record LayerDiffResult(Digest DiffId, long Size);
