namespace Quai.Images.Snapshots;

/// <summary>The states of a snapshot (containerd core/snapshots/snapshotter.go "Kind").</summary>
public enum SnapshotKind
{
    /// <summary>A read-only view of a parent, never committed.</summary>
    View,

    /// <summary>A writable snapshot being changed (a layer being unpacked or a container's rootfs).</summary>
    Active,

    /// <summary>An immutable layer other snapshots may use as parent.</summary>
    Committed,
}
