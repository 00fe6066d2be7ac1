namespace Quai.Images.Content;

/// <summary>Size limits for blobs the engine parses in memory.</summary>
public static class ContentLimits
{
    /// <summary>
    /// The largest manifest, index or config read into memory: 4 MiB, the limit
    /// distribution-spec suggests registries accept for manifests (spec.md#pushing-manifests).
    /// </summary>
    public const long MaxJsonBlobSize = 4 * 1024 * 1024;
}
