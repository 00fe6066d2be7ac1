using System.Runtime.InteropServices;

namespace Quai.Api.Http;

/// <summary>The socket file of a unix listener: its type (is something else there?) and its group.</summary>
internal static partial class UnixSocketFile
{
    private const int AT_FDCWD = -100;
    private const int AT_SYMLINK_NOFOLLOW = 0x100;
    private const uint STATX_TYPE = 0x1;
    private const int S_IFMT = 0xF000;
    private const int S_IFSOCK = 0xC000;
    private const int ENOENT = 2;

    /// <summary>True if <paramref name="path"/> is a socket, false if it is something else, null if nothing is there.</summary>
    public static bool? IsSocket(string path)
    {
        // statx(2)'s struct has one layout on every architecture; stx_mode is the u16 at offset 28.
        Span<byte> buffer = stackalloc byte[256];
        if (Statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == ENOENT)
            {
                return null;
            }
            throw new IOException($"statx {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        var mode = BitConverter.ToUInt16(buffer[28..30]);
        return (mode & S_IFMT) == S_IFSOCK;
    }

    /// <summary>Gives the socket file to a group (dockerd's --group, "docker"), keeping its owner.</summary>
    public static void SetGroup(string path, int gid)
    {
        if (Chown(path, uint.MaxValue, (uint)gid) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"chown {path} to group {gid}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    /// <summary>statx(2): https://man7.org/linux/man-pages/man2/statx.2.html</summary>
    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref byte statxbuf);

    /// <summary>chown(2), uid -1 keeps the owner: https://man7.org/linux/man-pages/man2/chown.2.html</summary>
    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint owner, uint group);
}
