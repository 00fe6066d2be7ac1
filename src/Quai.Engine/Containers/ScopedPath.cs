namespace Quai.Engine.Containers;

/// <summary>
/// Resolves a path inside a root directory the way the kernel's RESOLVE_IN_ROOT does: symlinks
/// (absolute or relative) and ".." never lead outside the root. Used for `docker cp`, where the
/// container's own symlinks must not reach the host (CVE-2018-15664 class).
/// </summary>
internal static class ScopedPath
{
    public static string Resolve(string root, string path)
    {
        var parts = new Stack<string>();
        var pending = new Queue<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var hops = 0;
        while (pending.Count > 0)
        {
            var part = pending.Dequeue();
            if (part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.Pop();
                }
                continue;
            }
            var candidate = Path.Combine(root, string.Join('/', parts.Reverse().Append(part)));
            var info = new FileInfo(candidate);
            if (info.LinkTarget is { } target && pending.Count >= 0)
            {
                // The last component is resolved too: docker cp follows a final symlink (unless -L is off on the client side).
                if (++hops > 40)
                {
                    throw EngineException.Invalid($"too many levels of symbolic links resolving {path}");
                }
                if (pending.Count == 0)
                {
                    // Keep a final symlink as itself: docker archives the link, not its target.
                    parts.Push(part);
                    continue;
                }
                var rest = pending.ToArray();
                pending.Clear();
                if (target.StartsWith('/'))
                {
                    parts.Clear();
                }
                foreach (var p in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Concat(rest))
                {
                    pending.Enqueue(p);
                }
                continue;
            }
            parts.Push(part);
        }
        return Path.Combine(root, string.Join('/', parts.Reverse()));
    }
}
