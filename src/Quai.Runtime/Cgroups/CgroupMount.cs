namespace Quai.Runtime.Cgroups;

/// <summary>
/// A cgroup or cgroup2 mount from /proc/self/mountinfo (proc(5)): where it is, which part of the
/// hierarchy it shows (the "root" field, not "/" inside a container with its own mount), and for
/// v1 which controllers it carries ("cpu", "cpuacct", or "name=systemd" for a named hierarchy).
/// </summary>
internal sealed record CgroupMount(string MountPoint, string Root, bool IsV2, IReadOnlyList<string> Controllers)
{
    /// <summary>The v1 controllers the kernel can mount, from the super options (Documentation/admin-guide/cgroup-v1/).</summary>
    private static readonly HashSet<string> KnownV1 =
    [
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "net_cls", "net_prio",
        "hugetlb", "perf_event", "rdma", "misc",
    ];

    /// <summary>Parses the cgroup and cgroup2 mounts of a mountinfo text, first mount of a hierarchy first.</summary>
    public static List<CgroupMount> Parse(string mountInfo)
    {
        var mounts = new List<CgroupMount>();
        foreach (var rawLine in mountInfo.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue":
            // optional fields end at the lone "-"; then fstype, source, super options.
            var fields = line.Split(' ');
            var dash = Array.IndexOf(fields, "-", 6);
            if (fields.Length < 7 || dash < 0 || dash + 3 >= fields.Length)
            {
                continue;
            }
            var fsType = fields[dash + 1];
            if (fsType != "cgroup" && fsType != "cgroup2")
            {
                continue;
            }
            var root = Unescape(fields[3]);
            var mountPoint = Unescape(fields[4]);
            if (fsType == "cgroup2")
            {
                mounts.Add(new CgroupMount(mountPoint, root, IsV2: true, []));
                continue;
            }
            var controllers = new List<string>();
            foreach (var opt in fields[dash + 3].Split(','))
            {
                if (KnownV1.Contains(opt) || opt.StartsWith("name=", StringComparison.Ordinal))
                {
                    controllers.Add(opt);
                }
            }
            if (controllers.Count > 0)
            {
                mounts.Add(new CgroupMount(mountPoint, root, IsV2: false, controllers));
            }
        }
        return mounts;
    }

    /// <summary>The directory of cgroup <paramref name="cgroupPath"/> (absolute from the hierarchy root) under this mount.</summary>
    public string DirectoryOf(string cgroupPath)
    {
        var rel = cgroupPath;
        // A mount of a sub-tree (root "/docker/abc") shows that cgroup at the mount point.
        if (Root != "/" && (rel == Root || rel.StartsWith(Root + "/", StringComparison.Ordinal)))
        {
            rel = rel[Root.Length..];
        }
        rel = rel.Trim('/');
        return rel.Length == 0 ? MountPoint : MountPoint.TrimEnd('/') + "/" + rel;
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as octal (\040).</summary>
    private static string Unescape(string s)
    {
        if (!s.Contains('\\', StringComparison.Ordinal))
        {
            return s;
        }
        var sb = new System.Text.StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && IsOctal(s, i + 1))
            {
                sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                sb.Append(s[i]);
            }
        }
        return sb.ToString();
    }

    private static bool IsOctal(string s, int start) =>
        start + 3 <= s.Length && s[start] is >= '0' and <= '7' && s[start + 1] is >= '0' and <= '7' && s[start + 2] is >= '0' and <= '7';
}
