using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Quai.Linux;
using Quai.Linux.Interop;

namespace Quai.Images.Layers;

/// <summary>
/// Turns a directory back into a layer tar: an overlay upper dir into the changeset it holds
/// (image-spec layer.md: whiteout 0:0 character devices become <c>.wh.&lt;name&gt;</c>,
/// trusted.overlay.opaque=y becomes <c>.wh..wh..opq</c>), or any tree into a plain tar (export).
/// Entries are sorted by name and times truncated to seconds, so the same tree gives the same diff ID.
/// </summary>
public sealed class LayerDiffer
{
    private readonly TarEntryWriter _writer;
    private readonly bool _overlay;
    private readonly Dictionary<(uint, uint, ulong), string> _inodes = [];

    private LayerDiffer(Stream output, bool overlay)
    {
        _writer = new TarEntryWriter(output);
        _overlay = overlay;
    }

    /// <summary>Writes the changeset held in an overlay upper directory (for commit and build).</summary>
    public static Task<LayerDiffResult> WriteDiffAsync(string upperDir, Stream output, CancellationToken cancellationToken = default) =>
        new LayerDiffer(output, overlay: true).RunAsync(upperDir, cancellationToken);

    /// <summary>Writes every file below <paramref name="dir"/> as a plain tar (export of a mounted container rootfs).</summary>
    public static Task<LayerDiffResult> WriteTreeAsync(string dir, Stream output, CancellationToken cancellationToken = default) =>
        new LayerDiffer(output, overlay: false).RunAsync(dir, cancellationToken);

    private async Task<LayerDiffResult> RunAsync(string dir, CancellationToken cancellationToken)
    {
        await WalkAsync(Path.GetFullPath(dir), "", cancellationToken).ConfigureAwait(false);
        var diffId = await _writer.FinishAsync(cancellationToken).ConfigureAwait(false);
        return new LayerDiffResult(diffId, _writer.Length);
    }

    private async Task WalkAsync(string absDir, string relDir, CancellationToken cancellationToken)
    {
        var names = Directory.EnumerateFileSystemEntries(absDir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var abs = Path.Combine(absDir, name!);
            var rel = relDir.Length == 0 ? name! : relDir + "/" + name;
            var st = Lstat(abs);
            var type = st.Mode & Libc.S_IFMT;
            if (_overlay && type == Libc.S_IFCHR && st.RdevMajor == 0 && st.RdevMinor == 0)
            {
                var parent = relDir.Length == 0 ? "" : relDir + "/";
                await _writer.WriteAsync(new TarHeaderInfo { Name = parent + LayerApplier.WhiteoutPrefix + name, MtimeSeconds = st.Mtime.Sec }, Stream.Null, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var xattrs = ListXattrs(abs);
            var header = new Func<char, string, long, TarHeaderInfo>((t, link, size) => new TarHeaderInfo
            {
                Name = t == '5' ? rel + "/" : rel,
                Type = t,
                LinkName = link,
                Mode = st.Mode & 0xFFFu,
                Uid = st.Uid,
                Gid = st.Gid,
                Size = size,
                MtimeSeconds = st.Mtime.Sec,
                DevMajor = st.RdevMajor,
                DevMinor = st.RdevMinor,
                Xattrs = xattrs,
            });
            switch (type)
            {
                case Libc.S_IFDIR:
                    await _writer.WriteAsync(header('5', "", 0), null, cancellationToken).ConfigureAwait(false);
                    if (_overlay && GetXattr(abs, "trusted.overlay.opaque") is [(byte)'y'])
                    {
                        await _writer.WriteAsync(new TarHeaderInfo { Name = rel + "/" + LayerApplier.OpaqueWhiteout, MtimeSeconds = st.Mtime.Sec }, Stream.Null, cancellationToken).ConfigureAwait(false);
                    }
                    await WalkAsync(abs, rel, cancellationToken).ConfigureAwait(false);
                    break;
                case Libc.S_IFREG:
                    var key = (st.DevMajor, st.DevMinor, st.Ino);
                    if (st.Nlink > 1 && _inodes.TryGetValue(key, out var first))
                    {
                        await _writer.WriteAsync(header('1', first, 0), null, cancellationToken).ConfigureAwait(false);
                        break;
                    }
                    if (st.Nlink > 1)
                    {
                        _inodes[key] = rel;
                    }
                    var fd = Libc.OpenAt(Libc.AT_FDCWD, abs, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
                    LinuxException.ThrowIfError(fd, "open", abs);
                    var file = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, 1, isAsync: false);
                    await using (file.ConfigureAwait(false))
                    {
                        await _writer.WriteAsync(header('0', "", (long)st.Size), file, cancellationToken).ConfigureAwait(false);
                    }
                    break;
                case Libc.S_IFLNK:
                    await _writer.WriteAsync(header('2', new FileInfo(abs).LinkTarget ?? "", 0), null, cancellationToken).ConfigureAwait(false);
                    break;
                case Libc.S_IFCHR:
                    await _writer.WriteAsync(header('3', "", 0), null, cancellationToken).ConfigureAwait(false);
                    break;
                case Libc.S_IFBLK:
                    await _writer.WriteAsync(header('4', "", 0), null, cancellationToken).ConfigureAwait(false);
                    break;
                case Libc.S_IFIFO:
                    await _writer.WriteAsync(header('6', "", 0), null, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    break; // sockets are not archived (tar cannot hold them; docker skips them too)
            }
        }
    }

    private static unsafe Libc.Statx Lstat(string path)
    {
        Libc.Statx st;
        LinuxException.ThrowIfError(Libc.StatxAt(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &st), "statx", path);
        return st;
    }

    /// <summary>The file's xattrs except overlayfs' own (trusted.overlay.*), which describe layers, not content.</summary>
    private static unsafe List<KeyValuePair<string, byte[]>> ListXattrs(string path)
    {
        var size = Libc.Llistxattr(path, null, 0);
        if (size <= 0)
        {
            return [];
        }
        var buffer = new byte[size];
        fixed (byte* p = buffer)
        {
            size = Libc.Llistxattr(path, p, (nuint)buffer.Length);
        }
        if (size < 0)
        {
            throw LinuxException.FromLastError("llistxattr", path);
        }
        var result = new List<KeyValuePair<string, byte[]>>();
        foreach (var name in Encoding.UTF8.GetString(buffer, 0, (int)size).Split('\0', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal))
        {
            if (name.StartsWith("trusted.overlay.", StringComparison.Ordinal))
            {
                continue;
            }
            if (GetXattr(path, name) is { } value)
            {
                result.Add(new(name, value));
            }
        }
        return result;
    }

    private static unsafe byte[]? GetXattr(string path, string name)
    {
        var size = Libc.Lgetxattr(path, name, null, 0);
        if (size < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is Errnos.ENODATA or Errnos.EOPNOTSUPP ? null : throw new LinuxException("lgetxattr", errno, path);
        }
        var buffer = new byte[size];
        fixed (byte* p = buffer)
        {
            size = Libc.Lgetxattr(path, name, p, (nuint)buffer.Length);
        }
        return size < 0 ? null : buffer[..(int)size];
    }
}
