using Quai.Linux;

namespace Quai.Runtime.Rootfs;

/// <summary>
/// Resolves a path inside a container's root filesystem as if that directory were "/": symlinks
/// are followed and re-rooted (an absolute target such as <c>/etc</c> means <c>rootfs/etc</c>),
/// and ".." never climbs above the rootfs. This is what keeps a hostile image from turning a mount
/// destination into a host path (CVE-2015-3627-style symlink attacks; runc uses
/// github.com/cyphar/filepath-securejoin for the same purpose).
/// </summary>
public static class SecureJoin
{
    /// <summary>How many symlinks one resolution may follow before failing with ELOOP (as Linux's MAXSYMLINKS-style limit).</summary>
    public const int MaxSymlinks = 255;

    /// <summary>
    /// Joins <paramref name="unsafePath"/> onto <paramref name="rootfs"/>, following symlinks inside
    /// the rootfs. Components that do not exist are appended as they are, so the result can be
    /// created afterwards. The result always starts with <paramref name="rootfs"/>.
    /// </summary>
    /// <exception cref="LinuxException">ELOOP when more than <see cref="MaxSymlinks"/> symlinks are met.</exception>
    public static string Resolve(string rootfs, string unsafePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootfs);
        ArgumentNullException.ThrowIfNull(unsafePath);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootfs));
        if (root.Length == 0)
        {
            root = "/";
        }

        // The components still to walk, first one at the top; "resolved" is always clean and
        // relative to the rootfs.
        var pending = new Stack<string>();
        PushComponents(pending, unsafePath);
        var resolved = new List<string>();
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part is "" or ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }
                continue;
            }
            var candidate = Combine(root, resolved, part);
            var target = ReadLink(candidate);
            if (target is null)
            {
                resolved.Add(part);
                continue;
            }
            if (++links > MaxSymlinks)
            {
                throw new LinuxException("securejoin", Errnos.ELOOP, $"{unsafePath} in {root} (more than {MaxSymlinks} symlinks)");
            }
            if (target.StartsWith('/'))
            {
                resolved.Clear();
            }
            PushComponents(pending, target);
        }
        return Combine(root, resolved, null);
    }

    private static void PushComponents(Stack<string> pending, string path)
    {
        var parts = path.Split('/');
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            pending.Push(parts[i]);
        }
    }

    private static string Combine(string root, List<string> resolved, string? last)
    {
        var relative = last is null ? string.Join('/', resolved) : string.Join('/', [.. resolved, last]);
        if (relative.Length == 0)
        {
            return root;
        }
        return root == "/" ? "/" + relative : root + "/" + relative;
    }

    /// <summary>The symlink's target, or null when the path is not a symlink or does not exist.</summary>
    private static string? ReadLink(string path)
    {
        try
        {
            // FileSystemInfo.LinkTarget is lstat(2) + readlink(2): it never follows the link itself.
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            // ENOTDIR and friends: a component is a file, so the rest cannot be a symlink.
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
