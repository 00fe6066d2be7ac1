namespace Quai.Images.Snapshots;

/// <summary>The snapshotter's metadata file (snapshots/metadata.json).</summary>
internal sealed class SnapshotDatabase
{
    public long NextId { get; set; } = 1;

    public Dictionary<string, SnapshotRecord> Snapshots { get; set; } = new(StringComparer.Ordinal);
}
