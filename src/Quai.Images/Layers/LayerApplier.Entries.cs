using System.Formats.Tar;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Quai.Linux;
using Quai.Linux.Interop;

namespace Quai.Images.Layers;

public sealed partial class LayerApplier
{
    /// <summary>Whiteout prefix and opaque marker (image-spec layer.md#whiteouts).</summary>
    public const string WhiteoutPrefix = ".wh.";
    public const string OpaqueWhiteout = ".wh..wh..opq";
    private const string WhiteoutMetaPrefix = ".wh..wh.";
    private const string OverlayOpaqueXattr = "trusted.overlay.opaque";
    private const string OverlayXattrPrefix = "trusted.overlay.";
    private const string SchilyPrefix = "SCHILY.xattr.";

    private async Task ApplyEntryAsync(TarEntry entry, List<KeyValuePair<string, byte[]>>? rawXattrs, CancellationToken cancellationToken)
    {
        if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
        {
            return;
        }
        var path = TarPath.Clean(entry.Name);
        if (path.Length == 0)
        {
            return; // "./": the root itself keeps the target's own metadata
        }
        var (parent, name) = TarPath.Split(path);
        using var dir = _root.OpenDirectory(parent, create: true)!;
        if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            ApplyWhiteout(dir, parent, name);
            return;
        }

        var exists = RootedDirectory.TryStat(dir.Fd, name, out var existing);
        var isDir = entry.EntryType == TarEntryType.Directory;
        if (exists && !(isDir && (existing.Mode & Libc.S_IFMT) == Libc.S_IFDIR))
        {
            RootedDirectory.RemoveAt(dir.Fd, name);
        }
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                if (!exists || (existing.Mode & Libc.S_IFMT) != Libc.S_IFDIR)
                {
                    Check(Libc.MkdirAt(dir.Fd, name, 0x1C0), "mkdirat", path);
                }
                _directoryTimes.Add((path, entry.ModificationTime));
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                await WriteFileAsync(dir, name, path, entry, cancellationToken).ConfigureAwait(false);
                break;
            case TarEntryType.SymbolicLink:
                // The target is stored verbatim: a symlink is only dangerous when followed, and every
                // later lookup through it is resolved in-root.
                Check(Libc.SymlinkAt(entry.LinkName, dir.Fd, name), "symlinkat", path);
                break;
            case TarEntryType.HardLink:
                if (!await LinkAsync(dir, name, path, entry, cancellationToken).ConfigureAwait(false))
                {
                    // A real hardlink shares the target's inode: its metadata came with the target's entry.
                    _written.Add(path);
                    return;
                }
                break;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                if (!_options.AllowDevices)
                {
                    throw TarPath.Hostile(entry.Name, "entry", "device nodes are not allowed here");
                }
                var posix = (PosixTarEntry)entry;
                var type = entry.EntryType == TarEntryType.CharacterDevice ? Libc.S_IFCHR : Libc.S_IFBLK;
                Check(Libc.MknodAt(dir.Fd, name, type | 0x180, Libc.MakeDev((uint)posix.DeviceMajor, (uint)posix.DeviceMinor)), "mknodat", path);
                break;
            case TarEntryType.Fifo:
                Check(Libc.MknodAt(dir.Fd, name, Libc.S_IFIFO | 0x180, 0), "mknodat", path);
                break;
            default:
                throw TarPath.Hostile(entry.Name, "entry", $"unsupported tar entry type {entry.EntryType}");
        }
        _written.Add(path);
        ApplyMetadata(dir.Fd, name, path, entry, rawXattrs);
    }

    private void ApplyWhiteout(FileDescriptorHandle dir, string parent, string name)
    {
        if (name == OpaqueWhiteout)
        {
            if (_options.OverlayWhiteouts)
            {
                SetXattr(dir.Fd, "", OverlayOpaqueXattr, "y"u8, parent);
                return;
            }
            // Flat: hide everything the lower layers put in this directory, not this layer's own entries.
            foreach (var child in new DirectoryInfo(RootedDirectory.ProcPath(dir.Fd, "")).EnumerateFileSystemInfos())
            {
                var childPath = parent.Length == 0 ? child.Name : parent + "/" + child.Name;
                if (!_written.Contains(childPath))
                {
                    RootedDirectory.RemoveAt(dir.Fd, child.Name);
                }
            }
            return;
        }
        if (name.StartsWith(WhiteoutMetaPrefix, StringComparison.Ordinal))
        {
            return; // aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs): not content
        }
        var hidden = name[WhiteoutPrefix.Length..];
        TarPath.Clean(hidden);
        if (hidden.Length == 0 || hidden.Contains('/', StringComparison.Ordinal))
        {
            throw TarPath.Hostile(name, "whiteout", "empty name");
        }
        RootedDirectory.RemoveAt(dir.Fd, hidden);
        if (_options.OverlayWhiteouts)
        {
            // overlayfs whiteout: a 0:0 character device named like the hidden entry.
            Check(Libc.MknodAt(dir.Fd, hidden, Libc.S_IFCHR, 0), "mknodat", parent + "/" + hidden);
        }
    }

    private async Task WriteFileAsync(FileDescriptorHandle dir, string name, string path, TarEntry entry, CancellationToken cancellationToken)
    {
        if (entry.Length > _options.MaxFileSize || entry.Length < 0)
        {
            throw TarPath.Hostile(entry.Name, "entry", $"size {entry.Length} is over the {_options.MaxFileSize}-byte limit per file");
        }
        // O_EXCL|O_NOFOLLOW on a name just removed: a symlink raced in would fail, not be followed.
        var fd = Libc.OpenAt(dir.Fd, name, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0x180);
        Check(fd, "openat", path);
        var file = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, 1, isAsync: false);
        await using (file.ConfigureAwait(false))
        {
            if (entry.DataStream is { } data)
            {
                await data.CopyToAsync(file, 1 << 16, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Links <paramref name="name"/> to the entry's target; returns true when it had to copy from a lower layer instead.</summary>
    private async Task<bool> LinkAsync(FileDescriptorHandle dir, string name, string path, TarEntry entry, CancellationToken cancellationToken)
    {
        var target = TarPath.Clean(entry.LinkName, "hardlink target");
        if (target.Length == 0)
        {
            throw TarPath.Hostile(entry.LinkName, "hardlink target", "links to the root directory");
        }
        var (targetParent, targetName) = TarPath.Split(target);
        using (var targetDir = _root.OpenDirectory(targetParent, create: false))
        {
            if (targetDir is not null && RootedDirectory.TryStat(targetDir.Fd, targetName, out var st))
            {
                if ((st.Mode & Libc.S_IFMT) == Libc.S_IFDIR)
                {
                    throw TarPath.Hostile(entry.Name, "hardlink", $"target \"{entry.LinkName}\" is a directory");
                }
                // flags 0: link the target itself, never what it points to if it is a symlink.
                Check(Libc.LinkAt(targetDir.Fd, targetName, dir.Fd, name, 0), "linkat", path);
                return false;
            }
        }
        // Overlay form: the target lives in a lower layer; a hardlink cannot cross layer
        // directories, so the entry gets a copy of the lower file (containerd does the same).
        foreach (var lower in _options.LowerDirs)
        {
            using var lowerRoot = RootedDirectory.Open(lower);
            var src = lowerRoot.OpenRaw(target, Libc.O_RDONLY | Libc.O_NOFOLLOW);
            if (src < 0)
            {
                continue;
            }
            var input = new FileStream(new SafeFileHandle(src, ownsHandle: true), FileAccess.Read, 1, isAsync: false);
            await using (input.ConfigureAwait(false))
            {
                var fd = Libc.OpenAt(dir.Fd, name, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0x180);
                Check(fd, "openat", path);
                var output = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, 1, isAsync: false);
                await using (output.ConfigureAwait(false))
                {
                    await input.CopyToAsync(output, 1 << 16, cancellationToken).ConfigureAwait(false);
                }
            }
            return true;
        }
        throw new ImageException(ImageErrorKind.InvalidArgument, $"layer hardlink \"{entry.Name}\" points to \"{entry.LinkName}\", which is neither in this layer nor below it");
    }

    private void ApplyMetadata(int dirFd, string name, string path, TarEntry entry, List<KeyValuePair<string, byte[]>>? rawXattrs)
    {
        var isLink = entry.EntryType == TarEntryType.SymbolicLink;
        if (_chown)
        {
            Check(Libc.FchownAt(dirFd, name, (uint)entry.Uid, (uint)entry.Gid, Libc.AT_SYMLINK_NOFOLLOW), "fchownat", path);
        }
        if (!isLink)
        {
            // After chown, which clears setuid/setgid (chown(2)); we created this node, so it is no symlink.
            Check(Libc.FchmodAt(dirFd, name, (uint)entry.Mode & 0xFFF, 0), "fchmodat", path);
        }
        foreach (var (key, value) in Xattrs(entry, rawXattrs))
        {
            // A layer must not steer overlayfs (trusted.overlay.redirect/metacopy point into other
            // layers); only the applier sets overlay xattrs, from whiteout entries.
            if (key.StartsWith(OverlayXattrPrefix, StringComparison.Ordinal))
            {
                continue;
            }
            SetXattr(dirFd, name, key, value, path);
        }
        if (entry.EntryType != TarEntryType.Directory)
        {
            var atime = entry is GnuTarEntry gnu ? gnu.AccessTime : entry.ModificationTime;
            SetTimes(dirFd, name, atime == default ? entry.ModificationTime : atime, entry.ModificationTime);
        }
    }

    private static IEnumerable<KeyValuePair<string, byte[]>> Xattrs(TarEntry entry, List<KeyValuePair<string, byte[]>>? raw)
    {
        if (raw is not null)
        {
            return raw;
        }
        if (entry is PaxTarEntry pax)
        {
            return pax.ExtendedAttributes
                .Where(kv => kv.Key.StartsWith(SchilyPrefix, StringComparison.Ordinal))
                .Select(kv => new KeyValuePair<string, byte[]>(kv.Key[SchilyPrefix.Length..], Encoding.UTF8.GetBytes(kv.Value)))
                .ToList();
        }
        return [];
    }

    private static unsafe void SetXattr(int dirFd, string name, string key, ReadOnlySpan<byte> value, string path)
    {
        fixed (byte* p = value)
        {
            var rc = Libc.Lsetxattr(RootedDirectory.ProcPath(dirFd, name), key, p, (nuint)value.Length, 0);
            if (rc != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new ImageException(ImageErrorKind.InvalidArgument, $"cannot set xattr {key} on \"{path}\": {Errnos.Describe(errno)}; the file system under the target may not support it", new LinuxException("lsetxattr", errno, path));
            }
        }
    }

    private static unsafe void SetTimes(int dirFd, string name, DateTimeOffset atime, DateTimeOffset mtime)
    {
        var times = stackalloc Libc.Timespec[2];
        times[0] = ToTimespec(atime);
        times[1] = ToTimespec(mtime);
        Check(Libc.UtimensAt(dirFd, name, times, Libc.AT_SYMLINK_NOFOLLOW), "utimensat", name);
    }

    private static Libc.Timespec ToTimespec(DateTimeOffset t)
    {
        var ticks = t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var sec = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rem);
        if (rem < 0)
        {
            sec--;
            rem += TimeSpan.TicksPerSecond;
        }
        return new Libc.Timespec { Sec = sec, Nsec = rem * 100 };
    }

    private static void Check(int rc, string syscall, string path)
    {
        if (rc < 0)
        {
            throw LinuxException.FromLastError(syscall, path);
        }
    }
}
