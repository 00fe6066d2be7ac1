using System.Globalization;
using Quai.Linux;
using Quai.Runtime.Cgroups;
using static Quai.Linux.MountFlags;

namespace Quai.Runtime.Rootfs;

// A "cgroup" mount: the container sees its own cgroups at /sys/fs/cgroup. With a cgroup namespace
// (the init is already in it), each new cgroup mount shows the container's cgroup as its root
// (cgroup_namespaces(7)); without one, the container's own cgroup directories are bind-mounted
// instead, so that the rest of the host's tree stays out of sight (runc mountCgroupV1/V2).
public static partial class RootfsSetup
{
    private static void MountCgroups(Context context, string target, string type, ulong flags, string data)
    {
        var hostCgroups = HierarchyMounts(context.HostMounts.Where(m => !IsWithin(m.MountPoint, context.Rootfs)));
        var own = context.HasCgroupNamespace ? [] : ReadOwnCgroups();
        if (type == "cgroup2" || IsUnifiedOnly(hostCgroups))
        {
            var unified = hostCgroups.LastOrDefault(m => m.FileSystemType == "cgroup2");
            if (context.HasCgroupNamespace || unified is null)
            {
                Mounts.Mount("cgroup2", target, "cgroup2", flags, data);
            }
            else
            {
                BindOwnCgroup(unified, own, target, flags);
            }
            return;
        }

        // cgroup v1 or hybrid: a tmpfs, one directory per v1 hierarchy mounted with that
        // hierarchy's controllers, and cgroup2 at "unified" in hybrid mode.
        Mounts.Mount("tmpfs", target, "tmpfs", flags & ~MS_RDONLY, "mode=755");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in hostCgroups)
        {
            var name = Path.GetFileName(m.MountPoint);
            if (name.Length == 0 || !seen.Add(name))
            {
                continue;
            }
            var directory = Path.Combine(target, name);
            Directory.CreateDirectory(directory, DirectoryMode);
            if (!context.HasCgroupNamespace)
            {
                BindOwnCgroup(m, own, directory, flags);
            }
            else if (m.FileSystemType == "cgroup2")
            {
                Mounts.Mount("cgroup2", directory, "cgroup2", flags, null);
            }
            else
            {
                Mounts.Mount("cgroup", directory, "cgroup", flags, CgroupV1Data(m.SuperOptions));
            }

            // A co-mounted hierarchy ("cpu,cpuacct") is also reachable under each controller's name.
            if (name.Contains(',', StringComparison.Ordinal))
            {
                foreach (var controller in name.Split(','))
                {
                    var link = Path.Combine(target, controller);
                    if (!Path.Exists(link))
                    {
                        File.CreateSymbolicLink(link, name);
                    }
                }
            }
        }
        if ((flags & MS_RDONLY) != 0)
        {
            Mounts.Mount("tmpfs", target, "tmpfs", flags | MS_REMOUNT, "mode=755");
        }
    }

    /// <summary>
    /// One mount per cgroup hierarchy, in mountinfo order. A hierarchy can be mounted more than
    /// once (a bind of a cgroup directory elsewhere, another tool's mount); the one at or right
    /// under /sys/fs/cgroup is the one the container should see, then one showing the whole
    /// hierarchy, then the first. Taking every mount would bind a stray mount (which may be gone
    /// by the time it is bound) into the container under its own name.
    /// </summary>
    internal static List<MountInfo> HierarchyMounts(IEnumerable<MountInfo> hostMounts)
    {
        ArgumentNullException.ThrowIfNull(hostMounts);
        var cgroups = hostMounts.Where(m => m.FileSystemType is "cgroup" or "cgroup2").ToList();
        var best = new Dictionary<string, MountInfo>(StringComparer.Ordinal);
        foreach (var m in cgroups)
        {
            // cgroup2 has one hierarchy; a v1 hierarchy is named by its controllers and name=.
            var key = m.FileSystemType == "cgroup2" ? "cgroup2" : CgroupV1Data(m.SuperOptions);
            if (!best.TryGetValue(key, out var chosen) || Rank(m) < Rank(chosen))
            {
                best[key] = m;
            }
        }
        return cgroups.Where(m => best.ContainsValue(m)).ToList();

        static int Rank(MountInfo m) =>
            m.MountPoint == CgroupEnvironment.DefaultRoot || Path.GetDirectoryName(m.MountPoint) == CgroupEnvironment.DefaultRoot ? 0
            : m.Root == "/" ? 1
            : 2;
    }

    /// <summary>True on a pure cgroup v2 host: /sys/fs/cgroup itself is the cgroup2 mount (no v1 hierarchies).</summary>
    internal static bool IsUnifiedOnly(IEnumerable<MountInfo> hostMounts) =>
        hostMounts.Any(m => m.MountPoint == "/sys/fs/cgroup" && m.FileSystemType == "cgroup2");

    /// <summary>Binds the directory of this process's cgroup in <paramref name="hierarchy"/> onto <paramref name="directory"/>.</summary>
    private static void BindOwnCgroup(MountInfo hierarchy, IReadOnlyList<(int Id, string Controllers, string Path)> own, string directory, ulong flags)
    {
        var source = HostCgroupDirectory(hierarchy, own);
        Mounts.Mount(source, directory, "bind", MS_BIND | MS_REC);
        var extra = flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        if (extra != 0)
        {
            RemountBind(directory, extra);
        }
    }

    /// <summary>
    /// Where this process's cgroup of a hierarchy is on the host: the mount point plus the path
    /// /proc/self/cgroup gives, relative to the mount's root.
    /// </summary>
    internal static string HostCgroupDirectory(MountInfo hierarchy, IReadOnlyList<(int Id, string Controllers, string Path)> own)
    {
        ArgumentNullException.ThrowIfNull(hierarchy);
        ArgumentNullException.ThrowIfNull(own);
        var options = hierarchy.SuperOptions.Split(',');
        var entry = hierarchy.FileSystemType == "cgroup2"
            ? own.FirstOrDefault(e => e.Id == 0)
            : own.FirstOrDefault(e => e.Id != 0 && e.Controllers.Length > 0 && e.Controllers.Split(',').All(options.Contains));
        if (entry.Path is null)
        {
            return hierarchy.MountPoint;
        }
        var root = hierarchy.Root.TrimEnd('/');
        var relative = entry.Path;
        if (root.Length > 0)
        {
            if (!IsWithin(relative, root))
            {
                return hierarchy.MountPoint;
            }
            relative = relative[root.Length..];
        }
        return (hierarchy.MountPoint.TrimEnd('/') + "/" + relative.TrimStart('/')).TrimEnd('/');
    }

    /// <summary>/proc/self/cgroup: "hierarchy-id:controllers:path" lines (cgroups(7)).</summary>
    internal static IReadOnlyList<(int Id, string Controllers, string Path)> ParseOwnCgroups(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var list = new List<(int, string, string)>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                list.Add((id, parts[1], parts[2]));
            }
        }
        return list;
    }

    private static IReadOnlyList<(int Id, string Controllers, string Path)> ReadOwnCgroups() =>
        ParseOwnCgroups(File.ReadAllText("/proc/self/cgroup"));

    /// <summary>
    /// The data for mounting a v1 hierarchy again: its controllers and name= from the super
    /// options, without the read-write state (set by the flags) and release_agent (refused in a
    /// cgroup namespace other than the initial one).
    /// </summary>
    internal static string CgroupV1Data(string superOptions) =>
        string.Join(',', (superOptions ?? "").Split(',').Where(o => o is not ("rw" or "ro") && !o.StartsWith("release_agent=", StringComparison.Ordinal)));
}
