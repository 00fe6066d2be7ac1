using Quai.Linux;
using static Quai.Linux.MountFlags;

namespace Quai.Runtime.Rootfs;

// Switching "/" to the rootfs.
public static partial class RootfsSetup
{
    /// <summary>
    /// pivot_root(".", ".") with the old root stacked under the new one, then detached (the
    /// approach pivot_root(2) NOTES describe and runc uses): no temporary directory in the rootfs.
    /// </summary>
    private static void PivotRoot(string rootfs)
    {
        using var oldRoot = Mounts.OpenDirectory("/");
        using var newRoot = Mounts.OpenDirectory(rootfs);
        Mounts.Fchdir(newRoot, rootfs);
        Mounts.PivotRoot(".", ".");

        // The old root is now mounted on top of "/"; go there and take it away. It must become a
        // slave first, or unmounting it would propagate to the host's mounts (runc pivotRoot).
        Mounts.Fchdir(oldRoot, "the old root");
        Mounts.SetPropagation(".", MS_SLAVE | MS_REC);
        Mounts.Unmount(".", Quai.Linux.Interop.Libc.MNT_DETACH);
        Mounts.Chdir("/");
    }

    /// <summary>
    /// --no-pivot: detach the host's proc and sysfs mounts (a new proc or sysfs is refused while
    /// fully visible ones remain, fs/namespace.c mnt_already_visible), move the rootfs onto "/" and
    /// chroot into it (runc msMoveRoot).
    /// </summary>
    private static void MoveRoot(string rootfs)
    {
        foreach (var m in MountInfo.ReadSelf())
        {
            if (m.FileSystemType is "proc" or "sysfs" && !IsWithin(m.MountPoint, rootfs) && !IsWithin(rootfs, m.MountPoint))
            {
                var rc = Mounts.TryDetach(m.MountPoint);

                // EINVAL: already gone with a detached parent.
                if (rc != 0 && rc != Errnos.EINVAL && rc != Errnos.ENOENT)
                {
                    // Still there and cannot go: hide it under an empty read-only tmpfs instead.
                    Mounts.Mount("tmpfs", m.MountPoint, "tmpfs", MS_RDONLY);
                }
            }
        }
        Mounts.Chdir(rootfs);
        Mounts.Mount(rootfs, "/", null, MS_MOVE);
        Mounts.Chroot(".");
        Mounts.Chdir("/");
    }
}
