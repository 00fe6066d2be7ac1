using Quai.Linux;
using static Quai.Linux.MountFlags;

namespace Quai.Runtime.Rootfs;

// config-linux.md#masked-paths and #readonly-paths, applied inside the container after pivot_root.
public static partial class RootfsSetup
{
    /// <summary>
    /// Hides <paramref name="path"/>: /dev/null over a file, an empty read-only tmpfs over a
    /// directory (runc maskPath). A path that does not exist needs no masking.
    /// </summary>
    private static void Mask(string path)
    {
        var rc = Mounts.TryMount("/dev/null", path, null, MS_BIND);
        if (rc is 0 or Errnos.ENOENT)
        {
            return;
        }
        if (rc == Errnos.ENOTDIR)
        {
            Mounts.Mount("tmpfs", path, "tmpfs", MS_RDONLY);
            return;
        }
        throw new LinuxException("mount (masked path)", rc, path);
    }

    /// <summary>Binds <paramref name="path"/> onto itself and remounts it read-only (runc readonlyPath); ENOENT is ignored.</summary>
    private static void MakeReadonly(string path)
    {
        var rc = Mounts.TryMount(path, path, null, MS_BIND | MS_REC);
        if (rc == Errnos.ENOENT)
        {
            return;
        }
        if (rc != 0)
        {
            throw new LinuxException("mount (readonly path)", rc, path);
        }
        RemountReadonly(path);
    }
}
