namespace Quai.Images.Snapshots;

/// <summary>One snapshot: its directory id, parent, kind and creation time.</summary>
internal sealed class SnapshotRecord
{
    public string Id { get; set; } = "";

    public string? Parent { get; set; }

    public SnapshotKind Kind { get; set; }

    public DateTimeOffset Created { get; set; }

    /// <summary>A committed snapshot's size (<see cref="SnapshotUsage.Size"/>), measured at commit; null for older records.</summary>
    public long? Size { get; set; }
}
