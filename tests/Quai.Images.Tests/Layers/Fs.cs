using System.Text;
using Quai.Linux.Interop;

namespace Quai.Images.Tests.Layers;

/// <summary>lstat and xattr helpers for assertions.</summary>
internal static unsafe class Fs
{
    public static Libc.Statx Lstat(string path)
    {
        Libc.Statx st;
        if (Libc.StatxAt(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &st) != 0)
        {
            throw new IOException($"statx {path} failed");
        }
        return st;
    }

    public static uint Type(string path) => Lstat(path).Mode & Libc.S_IFMT;

    public static byte[]? GetXattr(string path, string name)
    {
        var buf = new byte[4096];
        fixed (byte* p = buf)
        {
            var n = Libc.Lgetxattr(path, name, p, (nuint)buf.Length);
            return n < 0 ? null : buf[..(int)n];
        }
    }

    public static string? GetXattrText(string path, string name) => GetXattr(path, name) is { } b ? Encoding.UTF8.GetString(b) : null;

    /// <summary>Every path under <paramref name="root"/>, relative, sorted (for "nothing written outside" checks).</summary>
    public static List<string> Tree(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(p => Path.GetRelativePath(root, p)).Order(StringComparer.Ordinal).ToList();
}
