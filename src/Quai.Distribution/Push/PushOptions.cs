namespace Quai.Distribution.Push;

/// <summary>How to push: mount sources and upload chunking.</summary>
public sealed class PushOptions
{
    /// <summary>
    /// Repositories of the same registry that may already hold the blobs ("library/busybox"):
    /// tried with a cross-repository mount before uploading (spec.md#mounting-a-blob-from-another-repository).
    /// </summary>
    public IReadOnlyList<string> MountFrom { get; init; } = [];

    /// <summary>
    /// Upload blobs larger than this in PATCH chunks of this size (spec.md#pushing-a-blob-in-chunks);
    /// 0 uploads every blob in one PUT (POST then PUT ?digest=).
    /// </summary>
    public long ChunkSize { get; init; }
}
