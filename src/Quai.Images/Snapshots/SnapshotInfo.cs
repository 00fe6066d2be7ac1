namespace Quai.Images.Snapshots;

/// <summary>What a snapshotter knows about one snapshot.</summary>
/// <param name="Key">Its key (active/view) or name (committed).</param>
/// <param name="Parent">The committed snapshot below it, if any.</param>
/// <param name="Kind">View, active or committed.</param>
/// <param name="Created">When it was prepared.</param>
public sealed record SnapshotInfo(string Key, string? Parent, SnapshotKind Kind, DateTimeOffset Created);
