namespace Quai.Runtime.Cgroups;

/// <summary>
/// Entry point to a container's cgroup: detects the host layout and resolves OCI
/// <c>linux.cgroupsPath</c> (config-linux.md#cgroups-path):
/// <list type="bullet">
/// <item>absolute ("/a/b"): relative to the root of every hierarchy;</item>
/// <item>relative ("a/b"): relative to the calling process's own cgroup, per hierarchy, as /proc/self/cgroup shows it;</item>
/// <item>null or empty: "/quai/&lt;containerId&gt;" (absolute), so containers never nest under the runtime's own cgroup.</item>
/// </list>
/// "." components are dropped and ".." is refused, so a path can never leave its hierarchy.
/// The systemd driver ("slice:prefix:name" paths through systemd's D-Bus API) is not provided:
/// <c>systemd: true</c> fails with a message saying so, and why when systemd is not running.
/// </summary>
public static class CgroupManager
{
    /// <summary>The parent of default container cgroups ("/quai/&lt;id&gt;"); removed with its last container.</summary>
    public const string DefaultParent = "/quai";

    /// <summary>Opens the cgroup of <paramref name="containerId"/> on this host (nothing is created until <see cref="ICgroupManager.Create"/>).</summary>
    public static ICgroupManager Open(string? cgroupsPath, string containerId, bool systemd) =>
        Open(cgroupsPath, containerId, systemd, CgroupEnvironment.FromHost());

    /// <summary>Opens the cgroup of <paramref name="containerId"/> in <paramref name="environment"/> (tests: a fake cgroupfs tree).</summary>
    public static ICgroupManager Open(string? cgroupsPath, string containerId, bool systemd, CgroupEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (string.IsNullOrEmpty(containerId) || containerId is "." or ".." || containerId.Contains('/', StringComparison.Ordinal))
        {
            throw new CgroupException($"invalid container id \"{containerId}\" for a cgroup name: it must be non-empty, not \".\" or \"..\", and contain no '/'");
        }
        if (systemd)
        {
            throw new CgroupException(environment.SystemdRunning
                ? $"container {containerId}: the systemd cgroup driver is not supported by quai-runtime; run without --systemd-cgroup (cgroupfs driver) and give linux.cgroupsPath as a path"
                : $"container {containerId}: the systemd cgroup driver was requested (--systemd-cgroup) but systemd is not running on this host (no /run/systemd/system); run without --systemd-cgroup to use the cgroupfs driver");
        }
        var requested = string.IsNullOrEmpty(cgroupsPath) ? DefaultParent + "/" + containerId : cgroupsPath;
        var self = ParseSelfCgroup(environment.SelfCgroup);
        return Build(environment, mount =>
        {
            var own = mount.IsV2
                ? self.GetValueOrDefault("", "/")
                : mount.Controllers.Select(c => self.GetValueOrDefault(c)).FirstOrDefault(p => p is not null) ?? "/";
            return Resolve(requested, own);
        });
    }

    /// <summary>
    /// Reopens a container's cgroup from the paths saved from <see cref="ICgroupManager.Paths"/>
    /// (in the container state), so that kill, update or delete run from another process, whose
    /// own cgroup may differ, find the same directories. Hierarchies absent from
    /// <paramref name="paths"/> are left out.
    /// </summary>
    public static ICgroupManager Reopen(IReadOnlyDictionary<string, string> paths) => Reopen(paths, CgroupEnvironment.FromHost());

    /// <summary>Reopens a container's cgroup from saved paths in <paramref name="environment"/>.</summary>
    public static ICgroupManager Reopen(IReadOnlyDictionary<string, string> paths, CgroupEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(environment);
        foreach (var (key, path) in paths)
        {
            if (!path.StartsWith('/') || Resolve(path, "/") != path)
            {
                throw new CgroupException($"invalid saved cgroup path \"{path}\" for \"{key}\": it must be absolute and clean, as ICgroupManager.Paths gives it");
            }
        }
        return Build(environment, mount =>
            mount.IsV2 ? paths.GetValueOrDefault("") : mount.Controllers.Select(c => paths.GetValueOrDefault(c)).FirstOrDefault(p => p is not null));
    }

    /// <summary>Makes the manager for the host layout; <paramref name="pathFor"/> gives the cgroup path in a mount's hierarchy (null: leave it out).</summary>
    private static ICgroupManager Build(CgroupEnvironment environment, Func<CgroupMount, string?> pathFor)
    {
        // A mount of the whole hierarchy serves it before a mount of a sub-tree (a bind of one
        // cgroup directory elsewhere), which cannot reach cgroups outside that sub-tree.
        var mounts = CgroupMount.Parse(environment.MountInfo).OrderBy(m => m.Root == "/" ? 0 : 1).ToList();
        var layout = DetectLayout(mounts);
        var unifiedMount = mounts.FirstOrDefault(m => m.IsV2);
        if (layout == CgroupLayout.V2)
        {
            var path = pathFor(unifiedMount!) ?? throw new CgroupException("no cgroup path for the unified (cgroup v2) hierarchy: the saved state has none for this host's layout");
            return new V2Manager(Mapped(unifiedMount!, environment), path, environment, hybrid: false);
        }

        var hierarchies = new List<V1Hierarchy>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var mount in mounts.Where(m => !m.IsV2))
        {
            // The same hierarchy may be mounted twice (bind mounts): the first mount serves it.
            if (!mount.Controllers.All(seen.Add) || pathFor(mount) is not { } path)
            {
                continue;
            }
            var mapped = Mapped(mount, environment);
            hierarchies.Add(new V1Hierarchy(mount.Controllers, mapped.MountPoint, path, mapped.DirectoryOf(path), mapped));
        }
        V2Manager? unified = null;
        if (layout == CgroupLayout.Hybrid && pathFor(unifiedMount!) is { } unifiedPath)
        {
            unified = new V2Manager(Mapped(unifiedMount!, environment), unifiedPath, environment, hybrid: true);
        }
        return new V1Manager(hierarchies, unified, environment);
    }

    /// <summary>The layout of this host's cgroup mounts, from /proc/self/mountinfo.</summary>
    public static CgroupLayout DetectLayout() => DetectLayout(File.ReadAllText("/proc/self/mountinfo"));

    /// <summary>The layout described by a /proc/self/mountinfo text.</summary>
    public static CgroupLayout DetectLayout(string mountInfo) => DetectLayout(CgroupMount.Parse(mountInfo));

    private static CgroupLayout DetectLayout(List<CgroupMount> mounts)
    {
        // cgroup2 at /sys/fs/cgroup itself is the unified layout (systemd's "unified" mode); v1
        // hierarchies next to a cgroup2 mount are systemd's "hybrid" mode (cgroup-v2.rst, "Mounting").
        var hasV1 = mounts.Any(m => !m.IsV2 && !m.Controllers.All(c => c.StartsWith("name=", StringComparison.Ordinal)));
        var hasV2 = mounts.Any(m => m.IsV2);
        if (mounts.Any(m => m.IsV2 && m.MountPoint == CgroupEnvironment.DefaultRoot) || (hasV2 && !hasV1))
        {
            return CgroupLayout.V2;
        }
        if (hasV1)
        {
            return hasV2 ? CgroupLayout.Hybrid : CgroupLayout.V1;
        }
        throw new CgroupException("no cgroup filesystem is mounted (no cgroup or cgroup2 line in /proc/self/mountinfo): mount cgroup2 at /sys/fs/cgroup");
    }

    /// <summary>
    /// Parses /proc/self/cgroup ("hierarchy-ID:controller-list:cgroup-path", cgroups(7)) into
    /// controller → path; the v2 line ("0::/path") is under "".
    /// </summary>
    internal static Dictionary<string, string> ParseSelfCgroup(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }
            if (parts[1].Length == 0)
            {
                result[""] = parts[2];
                continue;
            }
            foreach (var controller in parts[1].Split(','))
            {
                result[controller] = parts[2];
            }
        }
        return result;
    }

    /// <summary>Resolves an OCI cgroupsPath against the caller's own cgroup <paramref name="own"/>; the result is absolute and clean.</summary>
    internal static string Resolve(string cgroupsPath, string own)
    {
        var parts = new List<string>();
        if (!cgroupsPath.StartsWith('/'))
        {
            parts.AddRange(own.Split('/', StringSplitOptions.RemoveEmptyEntries));
        }
        foreach (var part in cgroupsPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                throw new CgroupException($"invalid cgroupsPath \"{cgroupsPath}\": \"..\" is not allowed (a container's cgroup must stay inside its hierarchy)");
            }
            if (part != ".")
            {
                parts.Add(part);
            }
        }
        if (parts.Count == 0)
        {
            throw new CgroupException($"invalid cgroupsPath \"{cgroupsPath}\": it resolves to the root cgroup, which a container cannot own");
        }
        return "/" + string.Join('/', parts);
    }

    private static CgroupMount Mapped(CgroupMount mount, CgroupEnvironment environment) =>
        mount with { MountPoint = environment.MapMountPoint(mount.MountPoint) };
}
