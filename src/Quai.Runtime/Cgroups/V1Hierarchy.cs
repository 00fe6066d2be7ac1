namespace Quai.Runtime.Cgroups;

/// <summary>One v1 hierarchy as a container uses it: its controllers, its mount point, the cgroup path in it and that cgroup's directory, and its mount (for other cgroups' directories).</summary>
internal sealed record V1Hierarchy(IReadOnlyList<string> Controllers, string MountPoint, string Path, string Directory, CgroupMount Mount);
