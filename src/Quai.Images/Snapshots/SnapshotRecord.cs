namespace Quai.Images.Snapshots;

/// <summary>One snapshot: its directory id, parent, kind and creation time.</summary>
internal sealed class SnapshotRecord
{
    public string Id { get; set; } = "";

    public string? Parent { get; set; }

    public SnapshotKind Kind { get; set; }

    public DateTimeOffset Created { get; set; }
}
