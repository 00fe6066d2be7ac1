namespace Quai.Images.Snapshots;

/// <summary>Disk use of a snapshot's own layer (not its parents).</summary>
/// <param name="Size">Bytes of file content (hardlinked files counted once).</param>
/// <param name="Inodes">Number of files, directories and other nodes.</param>
public sealed record SnapshotUsage(long Size, long Inodes);
