using System.Runtime.InteropServices;

namespace Quai.Linux.Interop;

// Mount-namespace and filesystem calls used to build a container's root filesystem.
// Strings are marshalled as UTF-8 by the LibraryImport generator (no runtime marshalling).
public static unsafe partial class Libc
{
    /// <summary>The x86-64 system call number of pivot_root(2); glibc has no wrapper for it.</summary>
    private const long SysPivotRoot = 155;

    /// <summary>mount(2): https://man7.org/linux/man-pages/man2/mount.2.html</summary>
    [LibraryImport(Name, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string? source, string target, string? fileSystemType, ulong flags, string? data);

    /// <summary>umount2(2): https://man7.org/linux/man-pages/man2/umount2.2.html</summary>
    [LibraryImport(Name, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    /// <summary>pivot_root(2) through syscall(2): https://man7.org/linux/man-pages/man2/pivot_root.2.html</summary>
    public static int PivotRoot(string newRoot, string putOld) => (int)SyscallPivotRoot(SysPivotRoot, newRoot, putOld);

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long SyscallPivotRoot(long number, string newRoot, string putOld);

    /// <summary>mknod(2): https://man7.org/linux/man-pages/man2/mknod.2.html</summary>
    [LibraryImport(Name, EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mknod(string path, uint mode, ulong device);

    /// <summary>chown(2), following symlinks: https://man7.org/linux/man-pages/man2/chown.2.html</summary>
    [LibraryImport(Name, EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chown(string path, uint uid, uint gid);

    /// <summary>lchown(2), not following a final symlink: https://man7.org/linux/man-pages/man2/lchown.2.html</summary>
    [LibraryImport(Name, EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Lchown(string path, uint uid, uint gid);

    /// <summary>lstat(2) (a glibc symbol since 2.33): https://man7.org/linux/man-pages/man2/lstat.2.html</summary>
    [LibraryImport(Name, EntryPoint = "lstat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Lstat(string path, Stat* buffer);

    /// <summary>chmod(2): https://man7.org/linux/man-pages/man2/chmod.2.html</summary>
    [LibraryImport(Name, EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chmod(string path, uint mode);

    /// <summary>chdir(2): https://man7.org/linux/man-pages/man2/chdir.2.html</summary>
    [LibraryImport(Name, EntryPoint = "chdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chdir(string path);

    /// <summary>fchdir(2): https://man7.org/linux/man-pages/man2/fchdir.2.html</summary>
    [LibraryImport(Name, EntryPoint = "fchdir", SetLastError = true)]
    public static partial int Fchdir(int fd);

    /// <summary>chroot(2): https://man7.org/linux/man-pages/man2/chroot.2.html</summary>
    [LibraryImport(Name, EntryPoint = "chroot", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chroot(string path);

    /// <summary>sethostname(2): https://man7.org/linux/man-pages/man2/sethostname.2.html</summary>
    [LibraryImport(Name, EntryPoint = "sethostname", SetLastError = true)]
    public static partial int Sethostname(byte* name, nuint length);

    /// <summary>setdomainname(2): https://man7.org/linux/man-pages/man2/setdomainname.2.html</summary>
    [LibraryImport(Name, EntryPoint = "setdomainname", SetLastError = true)]
    public static partial int Setdomainname(byte* name, nuint length);

    /// <summary>statfs(2): https://man7.org/linux/man-pages/man2/statfs.2.html</summary>
    [LibraryImport(Name, EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statfs(string path, StatFs* buffer);

    /// <summary>open(2) with a mode: https://man7.org/linux/man-pages/man2/open.2.html</summary>
    [LibraryImport(Name, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, uint mode);

    /// <summary>umask(2): https://man7.org/linux/man-pages/man2/umask.2.html</summary>
    [LibraryImport(Name, EntryPoint = "umask")]
    public static partial uint Umask(uint mask);


    /// <summary>umount2(2) flags.</summary>
    public const int MNT_DETACH = 2;

    /// <summary>struct stat on x86-64 (bits/struct_stat.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Stat
    {
        public ulong Device;
        public ulong Inode;
        public ulong LinkCount;
        public uint Mode;
        public uint Uid;
        public uint Gid;
        public int Padding0;
        public ulong DeviceNumber;
        public long Size;
        public long BlockSize;
        public long Blocks;
        public long AccessSeconds;
        public long AccessNanoseconds;
        public long ModifySeconds;
        public long ModifyNanoseconds;
        public long ChangeSeconds;
        public long ChangeNanoseconds;
        public long Reserved0;
        public long Reserved1;
        public long Reserved2;
    }

    /// <summary>struct statfs on x86-64 (bits/statfs.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct StatFs
    {
        public long Type;
        public long BlockSize;
        public ulong Blocks;
        public ulong BlocksFree;
        public ulong BlocksAvailable;
        public ulong Files;
        public ulong FilesFree;
        public ulong FsId;
        public long NameLength;
        public long FragmentSize;
        public long Flags;
        public long Spare0;
        public long Spare1;
        public long Spare2;
        public long Spare3;
    }
}
