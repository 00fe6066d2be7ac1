namespace Quai.Images.Snapshots;

/// <summary>
/// Layered file systems by key (containerd core/snapshots/snapshotter.go): Prepare an active
/// snapshot on a committed parent, change it, Commit it under a name; View gives a read-only one.
/// Mounts are returned as data; the caller mounts them.
/// </summary>
public interface ISnapshotter
{
    /// <summary>Creates a writable snapshot <paramref name="key"/> on <paramref name="parent"/> (or empty) and returns its mounts.</summary>
    Task<IReadOnlyList<MountSpec>> PrepareAsync(string key, string? parent, CancellationToken cancellationToken = default);

    /// <summary>Creates a read-only view of <paramref name="parent"/> and returns its mounts.</summary>
    Task<IReadOnlyList<MountSpec>> ViewAsync(string key, string? parent, CancellationToken cancellationToken = default);

    /// <summary>The mounts of an active snapshot or view.</summary>
    Task<IReadOnlyList<MountSpec>> MountsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Turns active snapshot <paramref name="key"/> into committed snapshot <paramref name="name"/>.</summary>
    Task CommitAsync(string name, string key, CancellationToken cancellationToken = default);

    /// <summary>Removes a snapshot; refuses (Conflict) while other snapshots use it as parent.</summary>
    Task RemoveAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>The snapshot's info, or null if there is none by that key.</summary>
    Task<SnapshotInfo?> StatAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Every snapshot.</summary>
    Task<IReadOnlyList<SnapshotInfo>> WalkAsync(CancellationToken cancellationToken = default);

    /// <summary>Disk use of the snapshot's own layer.</summary>
    Task<SnapshotUsage> UsageAsync(string key, CancellationToken cancellationToken = default);
}
