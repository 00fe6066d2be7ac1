using Quai.Linux;
using static Quai.Linux.MountFlags;

namespace Quai.Runtime.Rootfs;

// A "cgroup" mount: the container sees its own cgroups at /sys/fs/cgroup. The init is already in
// its cgroup namespace, so each new cgroup mount shows the container's cgroup as its root
// (cgroup_namespaces(7)).
public static partial class RootfsSetup
{
    private static void MountCgroups(Context context, string target, string type, ulong flags, string data)
    {
        var hostCgroups = context.HostMounts.Where(m => !IsWithin(m.MountPoint, context.Rootfs)).ToList();
        var unifiedOnly = type == "cgroup2" ||
            hostCgroups.Any(m => m.MountPoint == "/sys/fs/cgroup" && m.FileSystemType == "cgroup2");
        if (unifiedOnly)
        {
            Mounts.Mount("cgroup2", target, "cgroup2", flags, data);
            return;
        }

        // cgroup v1 or hybrid (runc mountCgroupV1): a tmpfs, one directory per v1 hierarchy
        // mounted with that hierarchy's controllers, and cgroup2 at "unified" in hybrid mode.
        Mounts.Mount("tmpfs", target, "tmpfs", flags & ~MS_RDONLY, "mode=755");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in hostCgroups)
        {
            var name = Path.GetFileName(m.MountPoint);
            if (m.FileSystemType is not ("cgroup" or "cgroup2") || name.Length == 0 || !seen.Add(name))
            {
                continue;
            }
            var directory = Path.Combine(target, name);
            Directory.CreateDirectory(directory);
            if (m.FileSystemType == "cgroup2")
            {
                Mounts.Mount("cgroup2", directory, "cgroup2", flags, null);
                continue;
            }
            Mounts.Mount("cgroup", directory, "cgroup", flags, CgroupV1Data(m.SuperOptions));

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
    /// The data for mounting a v1 hierarchy again: its controllers and name= from the super
    /// options, without the read-write state (set by the flags) and release_agent (refused in a
    /// cgroup namespace other than the initial one).
    /// </summary>
    internal static string CgroupV1Data(string superOptions) =>
        string.Join(',', superOptions.Split(',').Where(o => o is not ("rw" or "ro") && !o.StartsWith("release_agent=", StringComparison.Ordinal)));
}
