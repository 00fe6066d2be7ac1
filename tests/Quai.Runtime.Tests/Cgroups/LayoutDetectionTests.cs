using Quai.Runtime.Cgroups;

namespace Quai.Runtime.Tests.Cgroups;

public class LayoutDetectionTests
{
    [Fact]
    public void This_hosts_mountinfo_is_hybrid() =>
        Assert.Equal(CgroupLayout.Hybrid, CgroupManager.DetectLayout(FakeCgroupTree.HybridMountInfo));

    [Fact]
    public void Cgroup2_at_sys_fs_cgroup_is_v2() =>
        Assert.Equal(CgroupLayout.V2, CgroupManager.DetectLayout(FakeCgroupTree.V2MountInfo));

    [Fact]
    public void V1_hierarchies_without_cgroup2_are_v1()
    {
        var v1 = string.Join('\n', FakeCgroupTree.HybridMountInfo.Split('\n').Where(l => !l.Contains("cgroup2", StringComparison.Ordinal)));
        Assert.Equal(CgroupLayout.V1, CgroupManager.DetectLayout(v1));
    }

    [Fact]
    public void Cgroup2_elsewhere_with_only_a_named_v1_hierarchy_is_v2()
    {
        const string mountInfo = """
            40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;
        Assert.Equal(CgroupLayout.V2, CgroupManager.DetectLayout(mountInfo));
    }

    [Fact]
    public void No_cgroup_mount_is_a_clear_error()
    {
        var e = Assert.Throws<CgroupException>(() => CgroupManager.DetectLayout("27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"));
        Assert.Contains("mountinfo", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parses_combined_controllers_optional_fields_subtree_roots_and_escapes()
    {
        const string mountInfo = """
            32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:12 master:3 - cgroup cgroup rw,cpu,cpuacct
            33 31 0:30 /docker/abc /sys/fs/cgroup/my\040memory rw - cgroup cgroup rw,memory,clone_children
            """;
        var mounts = CgroupMount.Parse(mountInfo);
        Assert.Equal(2, mounts.Count);
        Assert.Equal(["cpu", "cpuacct"], mounts[0].Controllers);
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct", mounts[0].MountPoint);
        Assert.Equal("/sys/fs/cgroup/my memory", mounts[1].MountPoint);
        Assert.Equal(["memory"], mounts[1].Controllers);
        // A mount of /docker/abc shows that cgroup at its mount point.
        Assert.Equal("/sys/fs/cgroup/my memory/x", mounts[1].DirectoryOf("/docker/abc/x"));
        Assert.Equal("/sys/fs/cgroup/my memory/y", mounts[1].DirectoryOf("/y"));
    }

    [Fact]
    public void Real_host_layout_is_detected_from_proc_self_mountinfo()
    {
        var text = File.ReadAllText("/proc/self/mountinfo");
        Assert.Equal(CgroupManager.DetectLayout(text), CgroupManager.DetectLayout());
    }
}
