namespace Quai.Runtime.Cgroups;

/// <summary>
/// How the host mounts cgroupfs (kernel Documentation/admin-guide/cgroup-v2.rst, "Mounting").
/// </summary>
public enum CgroupLayout
{
    /// <summary>Only cgroup v1 hierarchies, one mount per controller (or group of controllers).</summary>
    V1,

    /// <summary>v1 hierarchies for the controllers plus a cgroup2 mount (usually /sys/fs/cgroup/unified).</summary>
    Hybrid,

    /// <summary>A single cgroup2 hierarchy mounted at the cgroup root.</summary>
    V2,
}
