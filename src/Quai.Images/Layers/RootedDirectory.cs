using Quai.Linux;
using Quai.Linux.Interop;

namespace Quai.Images.Layers;

/// <summary>
/// A directory treated as a root: every path below it is resolved by the kernel with
/// openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so ".." and symlinks (absolute or relative,
/// planted by this layer or a lower one) can never lead outside it (openat2(2)).
/// </summary>
internal sealed class RootedDirectory : IDisposable
{
    private const ulong Resolve = Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_MAGICLINKS;

    private RootedDirectory(string path, FileDescriptorHandle fd)
    {
        Path = path;
        Handle = fd;
    }

    /// <summary>The directory's path (for messages).</summary>
    public string Path { get; }

    /// <summary>An O_PATH descriptor of the root.</summary>
    public FileDescriptorHandle Handle { get; }

    public static RootedDirectory Open(string path)
    {
        var fd = Libc.OpenAt(Libc.AT_FDCWD, path, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        LinuxException.ThrowIfError(fd, "open", path);
        return new RootedDirectory(path, new FileDescriptorHandle(fd));
    }

    /// <summary>Opens <paramref name="relative"/> inside the root with extra open flags; returns -1 (errno set) on failure.</summary>
    public int OpenRaw(string relative, int flags, uint mode = 0)
    {
        // openat2(2): with RESOLVE_IN_ROOT the kernel answers EAGAIN when a rename or mount
        // anywhere on the system raced the lookup, and asks the caller to retry.
        for (var attempt = 0; ; attempt++)
        {
            var fd = Libc.OpenAt2(Handle.Fd, relative.Length == 0 ? "." : relative, (ulong)(flags | Libc.O_CLOEXEC), mode, Resolve);
            if (fd >= 0 || attempt == 64 || System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Errnos.EAGAIN)
            {
                return fd;
            }
        }
    }

    /// <summary>
    /// An O_PATH descriptor of directory <paramref name="relative"/>, creating missing components
    /// (mode 0755) when <paramref name="create"/> is set; null if it is missing and not created.
    /// </summary>
    public FileDescriptorHandle? OpenDirectory(string relative, bool create)
    {
        var fd = OpenRaw(relative, Libc.O_PATH | Libc.O_DIRECTORY);
        if (fd >= 0)
        {
            return new FileDescriptorHandle(fd);
        }
        var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        if (errno == Errnos.ENOTDIR)
        {
            throw new ImageException(ImageErrorKind.InvalidArgument, $"cannot create \"{relative}\" in {Path}: a component is not a directory");
        }
        if (errno != Errnos.ENOENT)
        {
            throw new LinuxException("openat2", errno, System.IO.Path.Combine(Path, relative));
        }
        if (!create)
        {
            return null;
        }
        // Walk down creating what is missing; each mkdirat is relative to an fd resolved in-root,
        // with a single-component name, so it cannot be redirected.
        var (parent, name) = TarPath.Split(relative);
        using var parentFd = OpenDirectory(parent, create: true)!;
        var rc = Libc.MkdirAt(parentFd.Fd, name, 0x1ED);
        if (rc != 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Errnos.EEXIST)
        {
            throw LinuxException.FromLastError("mkdirat", System.IO.Path.Combine(Path, relative));
        }
        fd = OpenRaw(relative, Libc.O_PATH | Libc.O_DIRECTORY);
        if (fd < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() is Errnos.ENOENT or Errnos.ENOTDIR)
        {
            // mkdirat said EEXIST yet it does not open as a directory: a dangling symlink or a file.
            throw new ImageException(ImageErrorKind.InvalidArgument, $"cannot create \"{relative}\" in {Path}: it exists but is not a directory (a dangling symlink?); the layer is malformed or hostile");
        }
        LinuxException.ThrowIfError(fd, "openat2", System.IO.Path.Combine(Path, relative));
        return new FileDescriptorHandle(fd);
    }

    /// <summary>lstat of <paramref name="name"/> in <paramref name="dirFd"/>; false if it does not exist.</summary>
    public static unsafe bool TryStat(int dirFd, string name, out Libc.Statx st)
    {
        Libc.Statx buf;
        var rc = Libc.StatxAt(dirFd, name, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &buf);
        st = buf;
        if (rc == 0)
        {
            return true;
        }
        var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        return errno == Errnos.ENOENT ? false : throw new LinuxException("statx", errno, ProcPath(dirFd, name));
    }

    /// <summary>A path naming <paramref name="name"/> in an already-resolved directory fd, for calls that have no *at form (xattrs).</summary>
    public static string ProcPath(int dirFd, string name) => name.Length == 0 ? $"/proc/self/fd/{dirFd}/." : $"/proc/self/fd/{dirFd}/{name}";

    /// <summary>Removes <paramref name="name"/> (recursively if a directory) from <paramref name="dirFd"/>.</summary>
    public static void RemoveAt(int dirFd, string name)
    {
        if (!TryStat(dirFd, name, out var st))
        {
            return;
        }
        if ((st.Mode & Libc.S_IFMT) == Libc.S_IFDIR)
        {
            // .NET's recursive delete unlinks symlinks instead of following them.
            Directory.Delete(ProcPath(dirFd, name), recursive: true);
            return;
        }
        LinuxException.ThrowIfError(Libc.UnlinkAt(dirFd, name, 0), "unlinkat", ProcPath(dirFd, name));
    }

    public void Dispose() => Handle.Dispose();
}
