using Quai.Oci;

namespace Quai.Images.Layers;

/// <summary>What applying a layer produced.</summary>
/// <param name="DiffId">sha256 of the uncompressed tar (image-spec config.md rootfs.diff_ids).</param>
/// <param name="UncompressedSize">Bytes of uncompressed tar read.</param>
/// <param name="Entries">How many tar entries were applied.</param>
public sealed record LayerApplyResult(Digest DiffId, long UncompressedSize, int Entries);
