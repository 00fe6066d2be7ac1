using System.Runtime.InteropServices;
using Quai.Linux.Interop;

namespace Quai.Linux;

/// <summary>Device special files: mknod(2), makedev(3), chown(2).</summary>
public static unsafe class DeviceNodes
{
    /// <summary>File type bits of st_mode (inode(7)).</summary>
    public const uint S_IFIFO = 0x1000;
    public const uint S_IFCHR = 0x2000;
    public const uint S_IFBLK = 0x6000;

    /// <summary>makedev(3) as glibc encodes dev_t (sys/sysmacros.h).</summary>
    public static ulong MakeDev(long major, long minor)
    {
        var ma = (ulong)major;
        var mi = (ulong)minor;
        return ((ma & 0xfffff000UL) << 32) | ((ma & 0xfffUL) << 8) | ((mi & 0xffffff00UL) << 12) | (mi & 0xffUL);
    }

    /// <summary>mknod(2); returns 0 or the errno, so that callers can fall back on EPERM.</summary>
    public static int TryMknod(string path, uint mode, ulong device) =>
        Libc.Mknod(path, mode, device) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>chown(2).</summary>
    public static void Chown(string path, uint uid, uint gid) =>
        LinuxException.ThrowIfError(Libc.Chown(path, uid, gid), "chown", path);

    /// <summary>lchown(2): changes a symlink itself rather than its target.</summary>
    public static void Lchown(string path, uint uid, uint gid) =>
        LinuxException.ThrowIfError(Libc.Lchown(path, uid, gid), "lchown", path);

    /// <summary>lstat(2): owner, mode and device number of a path, not following a final symlink.</summary>
    public static Libc.Stat Lstat(string path)
    {
        Libc.Stat buffer;
        LinuxException.ThrowIfError(Libc.Lstat(path, &buffer), "lstat", path);
        return buffer;
    }

    /// <summary>chmod(2), which unlike mknod(2) is not filtered by the umask.</summary>
    public static void Chmod(string path, uint mode) =>
        LinuxException.ThrowIfError(Libc.Chmod(path, mode), "chmod", path);
}
