using System.Runtime.InteropServices;
using Quai.Linux.Interop;

namespace Quai.Linux;

/// <summary>Safe wrappers over mount(2), umount2(2), pivot_root(2), chroot(2) and statfs(2).</summary>
public static unsafe class Mounts
{
    /// <summary>mount(2); throws a <see cref="LinuxException"/> naming <paramref name="target"/>.</summary>
    public static void Mount(string? source, string target, string? fileSystemType, ulong flags, string? data = null) =>
        LinuxException.ThrowIfError(Libc.Mount(source, target, fileSystemType, flags, NullIfEmpty(data)), "mount", Describe(source, target, fileSystemType));

    /// <summary>mount(2); returns 0 on success or the errno, for callers that have a fallback.</summary>
    public static int TryMount(string? source, string target, string? fileSystemType, ulong flags, string? data = null) =>
        Libc.Mount(source, target, fileSystemType, flags, NullIfEmpty(data)) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Changes the propagation type of the mount at <paramref name="target"/> (one MS_SHARED/SLAVE/PRIVATE/UNBINDABLE, optionally | MS_REC).</summary>
    public static void SetPropagation(string target, ulong propagation) =>
        LinuxException.ThrowIfError(Libc.Mount(null, target, null, propagation, null), "mount (propagation)", target);

    /// <summary>umount2(2).</summary>
    public static void Unmount(string target, int flags = 0) =>
        LinuxException.ThrowIfError(Libc.Umount2(target, flags), "umount2", target);

    /// <summary>umount2(2) with MNT_DETACH; returns 0 or the errno.</summary>
    public static int TryDetach(string target) =>
        Libc.Umount2(target, Libc.MNT_DETACH) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>pivot_root(2).</summary>
    public static void PivotRoot(string newRoot, string putOld) =>
        LinuxException.ThrowIfError(Libc.PivotRoot(newRoot, putOld), "pivot_root", newRoot);

    /// <summary>chroot(2).</summary>
    public static void Chroot(string path) => LinuxException.ThrowIfError(Libc.Chroot(path), "chroot", path);

    /// <summary>chdir(2).</summary>
    public static void Chdir(string path) => LinuxException.ThrowIfError(Libc.Chdir(path), "chdir", path);

    /// <summary>fchdir(2) to an open directory.</summary>
    public static void Fchdir(FileDescriptorHandle directory, string description)
    {
        ArgumentNullException.ThrowIfNull(directory);
        LinuxException.ThrowIfError(Libc.Fchdir(directory.Fd), "fchdir", description);
    }

    /// <summary>Opens a directory (O_DIRECTORY|O_RDONLY|O_CLOEXEC), e.g. to fchdir back to it after pivot_root.</summary>
    public static FileDescriptorHandle OpenDirectory(string path) =>
        new(LinuxException.ThrowIfError(Libc.Open(path, Libc.O_DIRECTORY | Libc.O_RDONLY | Libc.O_CLOEXEC, 0), "open", path));

    /// <summary>statfs(2) f_flags of the filesystem at <paramref name="path"/>, as MS_* flags (see <see cref="MountFlags.FromStatfsFlags"/>).</summary>
    public static ulong GetLockedFlags(string path)
    {
        Libc.StatFs buffer;
        LinuxException.ThrowIfError(Libc.Statfs(path, &buffer), "statfs", path);
        return MountFlags.FromStatfsFlags(buffer.Flags);
    }

    /// <summary>statfs(2) f_type (the filesystem magic, e.g. 0x9fa0 for proc).</summary>
    public static long GetFileSystemType(string path)
    {
        Libc.StatFs buffer;
        LinuxException.ThrowIfError(Libc.Statfs(path, &buffer), "statfs", path);
        return buffer.Type;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static string Describe(string? source, string target, string? type) =>
        $"{target} (source '{source ?? ""}', type '{type ?? ""}')";
}
