using Quai.Oci;

namespace Quai.Images.Content;

/// <summary>What the store knows about one committed blob.</summary>
/// <param name="Digest">The blob's digest.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="CommittedAt">When it was committed (the blob file's modification time).</param>
public sealed record ContentInfo(Digest Digest, long Size, DateTimeOffset CommittedAt);
