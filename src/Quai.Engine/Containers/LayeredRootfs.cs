using Quai.Linux.Interop;

namespace Quai.Engine.Containers;

/// <summary>
/// Reads files of a container's filesystem straight from its overlay layers (upper first, then the
/// lower layers nearest first), without mounting: what the engine needs before the container runs
/// (/etc/passwd and /etc/group for `--user name`). An overlay whiteout (a 0/0 character device)
/// hides the file below it, as the kernel's overlayfs does.
/// </summary>
internal sealed class LayeredRootfs
{
    private readonly IReadOnlyList<string> _layers;

    public LayeredRootfs(IReadOnlyList<string> layersTopFirst) => _layers = layersTopFirst;

    /// <summary>The text of <paramref name="path"/> (absolute in the container), or null if absent.</summary>
    public string? ReadAllText(string path)
    {
        var rel = path.TrimStart('/');
        foreach (var layer in _layers)
        {
            var full = Path.Combine(layer, rel);
            switch (Kind(full))
            {
                case EntryKind.Regular:
                    return File.ReadAllText(full);
                case EntryKind.Whiteout:
                case EntryKind.Other:
                    return null;
                case EntryKind.Missing:
                    continue;
            }
        }
        return null;
    }

    private enum EntryKind { Missing, Regular, Whiteout, Other }

    private static unsafe EntryKind Kind(string path)
    {
        Libc.Statx st;
        if (Libc.StatxAt(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &st) != 0)
        {
            return EntryKind.Missing;
        }
        var type = st.Mode & 0xF000;
        if (type == 0x8000)
        {
            return EntryKind.Regular;
        }
        if (type == Libc.S_IFCHR && st.RdevMajor == 0 && st.RdevMinor == 0)
        {
            return EntryKind.Whiteout;
        }
        // A symlinked /etc/passwd is rare in images; docker's lookup follows it inside the rootfs.
        return type == 0xA000 ? EntryKind.Missing : EntryKind.Other;
    }
}
