using System.Runtime.InteropServices;

namespace Quai.Linux.Interop;

// File-system calls used by the image layer code: fd-relative (*at) calls so that every path is
// resolved below a directory fd, never through a string path that a hostile symlink could redirect.
public static unsafe partial class Libc
{
    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_REMOVEDIR = 0x200;
    public const int AT_SYMLINK_FOLLOW = 0x400;
    public const int AT_EMPTY_PATH = 0x1000;

    /// <summary>openat2 resolve flags (openat2(2)).</summary>
    public const ulong RESOLVE_NO_XDEV = 0x01;
    public const ulong RESOLVE_NO_MAGICLINKS = 0x02;
    public const ulong RESOLVE_NO_SYMLINKS = 0x04;
    public const ulong RESOLVE_BENEATH = 0x08;
    public const ulong RESOLVE_IN_ROOT = 0x10;

    /// <summary>openat2's syscall number: 437 on every architecture (unified syscall table since 5.1).</summary>
    public const long SYS_openat2 = 437;

    public const uint S_IFMT = 0xF000;
    public const uint S_IFSOCK = 0xC000;
    public const uint S_IFLNK = 0xA000;
    public const uint S_IFREG = 0x8000;
    public const uint S_IFBLK = 0x6000;
    public const uint S_IFDIR = 0x4000;
    public const uint S_IFCHR = 0x2000;
    public const uint S_IFIFO = 0x1000;

    public const int XATTR_CREATE = 0x1;
    public const int XATTR_REPLACE = 0x2;

    /// <summary>statx mask: the basic stat fields.</summary>
    public const uint STATX_BASIC_STATS = 0x7FF;

    /// <summary>The struct open_how argument of openat2(2).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary>struct timespec (64-bit time).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Sec;
        public long Nsec;
    }

    /// <summary>struct statx_timestamp.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct StatxTimestamp
    {
        public long Sec;
        public uint Nsec;
        public int Reserved;
    }

    /// <summary>struct statx (statx(2)): the same layout on every architecture.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Statx
    {
        public uint Mask;
        public uint Blksize;
        public ulong Attributes;
        public uint Nlink;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
        public ushort Spare0;
        public ulong Ino;
        public ulong Size;
        public ulong Blocks;
        public ulong AttributesMask;
        public StatxTimestamp Atime;
        public StatxTimestamp Btime;
        public StatxTimestamp Ctime;
        public StatxTimestamp Mtime;
        public uint RdevMajor;
        public uint RdevMinor;
        public uint DevMajor;
        public uint DevMinor;
        public ulong MntId;
        public uint DioMemAlign;
        public uint DioOffsetAlign;
        public fixed ulong Spare3[12];
    }

    /// <summary>openat(2): https://man7.org/linux/man-pages/man2/openat.2.html</summary>
    [LibraryImport(Name, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OpenAt(int dirfd, string path, int flags, uint mode);

    /// <summary>openat2(2) through syscall(2) (glibc has no wrapper): https://man7.org/linux/man-pages/man2/openat2.2.html</summary>
    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long Syscall(long number, int dirfd, string path, OpenHow* how, nuint size);

    /// <summary>openat2(2): opens <paramref name="path"/> relative to <paramref name="dirfd"/> with resolve restrictions.</summary>
    public static int OpenAt2(int dirfd, string path, ulong flags, ulong mode, ulong resolve)
    {
        var how = new OpenHow { Flags = flags, Mode = mode, Resolve = resolve };
        return (int)Syscall(SYS_openat2, dirfd, path, &how, (nuint)sizeof(OpenHow));
    }

    /// <summary>fsync(2): https://man7.org/linux/man-pages/man2/fsync.2.html</summary>
    [LibraryImport(Name, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    /// <summary>mkdirat(2): https://man7.org/linux/man-pages/man2/mkdirat.2.html</summary>
    [LibraryImport(Name, EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkdirAt(int dirfd, string path, uint mode);

    /// <summary>mknodat(2): https://man7.org/linux/man-pages/man2/mknodat.2.html</summary>
    [LibraryImport(Name, EntryPoint = "mknodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MknodAt(int dirfd, string path, uint mode, ulong dev);

    /// <summary>symlinkat(2): https://man7.org/linux/man-pages/man2/symlinkat.2.html</summary>
    [LibraryImport(Name, EntryPoint = "symlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SymlinkAt(string target, int newdirfd, string linkpath);

    /// <summary>linkat(2): https://man7.org/linux/man-pages/man2/linkat.2.html</summary>
    [LibraryImport(Name, EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LinkAt(int olddirfd, string oldpath, int newdirfd, string newpath, int flags);

    /// <summary>unlinkat(2): https://man7.org/linux/man-pages/man2/unlinkat.2.html</summary>
    [LibraryImport(Name, EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UnlinkAt(int dirfd, string path, int flags);

    /// <summary>fchownat(2): https://man7.org/linux/man-pages/man2/fchownat.2.html</summary>
    [LibraryImport(Name, EntryPoint = "fchownat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FchownAt(int dirfd, string path, uint owner, uint group, int flags);

    /// <summary>fchmod(2): https://man7.org/linux/man-pages/man2/fchmod.2.html</summary>
    [LibraryImport(Name, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int Fchmod(int fd, uint mode);

    /// <summary>fchmodat(2) (without AT_SYMLINK_NOFOLLOW: never call it on a symlink).</summary>
    [LibraryImport(Name, EntryPoint = "fchmodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FchmodAt(int dirfd, string path, uint mode, int flags);

    /// <summary>utimensat(2): https://man7.org/linux/man-pages/man2/utimensat.2.html</summary>
    [LibraryImport(Name, EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UtimensAt(int dirfd, string path, Timespec* times, int flags);

    /// <summary>statx(2): https://man7.org/linux/man-pages/man2/statx.2.html</summary>
    [LibraryImport(Name, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int StatxAt(int dirfd, string path, int flags, uint mask, Statx* buf);

    /// <summary>readlinkat(2): https://man7.org/linux/man-pages/man2/readlinkat.2.html</summary>
    [LibraryImport(Name, EntryPoint = "readlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ReadLinkAt(int dirfd, string path, byte* buf, nuint size);

    /// <summary>lsetxattr(2): https://man7.org/linux/man-pages/man2/lsetxattr.2.html</summary>
    [LibraryImport(Name, EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Lsetxattr(string path, string name, byte* value, nuint size, int flags);

    /// <summary>lgetxattr(2): https://man7.org/linux/man-pages/man2/lgetxattr.2.html</summary>
    [LibraryImport(Name, EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint Lgetxattr(string path, string name, byte* value, nuint size);

    /// <summary>llistxattr(2): https://man7.org/linux/man-pages/man2/llistxattr.2.html</summary>
    [LibraryImport(Name, EntryPoint = "llistxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint Llistxattr(string path, byte* list, nuint size);

    /// <summary>makedev(3) for Linux's dev_t encoding (glibc sys/sysmacros.h).</summary>
    public static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xFFFFF000) << 32) | ((ulong)(major & 0xFFF) << 8) | ((ulong)(minor & 0xFFFFFF00) << 12) | (minor & 0xFF);
}
