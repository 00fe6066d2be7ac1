namespace Quai.Images.Snapshots;

/// <summary>The snapshotter's metadata file (snapshots/metadata.json).</summary>
internal sealed class SnapshotDatabase
{
    public long NextId { get; set; } = 1;

    public Dictionary<string, SnapshotRecord> Snapshots { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One snapshot: its directory id, parent, kind and creation time.</summary>
internal sealed class SnapshotRecord
{
    public string Id { get; set; } = "";

    public string? Parent { get; set; }

    public SnapshotKind Kind { get; set; }

    public DateTimeOffset Created { get; set; }
}
