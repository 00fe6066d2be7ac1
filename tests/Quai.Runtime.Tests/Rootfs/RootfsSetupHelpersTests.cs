using Quai.Linux;
using Quai.Runtime.Rootfs;

namespace Quai.Runtime.Tests.Rootfs;

public sealed class RootfsSetupHelpersTests
{
    [Theory]
    [InlineData("/proc", "/proc")]
    [InlineData("proc", "/proc")]
    [InlineData("/dev/", "/dev")]
    [InlineData("/a/./b/../c", "/a/c")]
    [InlineData("/../../etc", "/etc")]
    [InlineData("/", "/")]
    [InlineData("", "/")]
    public void Destinations_are_made_absolute_and_clean(string destination, string expected) =>
        Assert.Equal(expected, RootfsSetup.CleanDestination(destination));

    [Theory]
    [InlineData("/a/b", "/a", true)]
    [InlineData("/a", "/a", true)]
    [InlineData("/ab", "/a", false)]
    [InlineData("/anything", "/", true)]
    public void IsWithin_compares_whole_components(string path, string ancestor, bool expected) =>
        Assert.Equal(expected, RootfsSetup.IsWithin(path, ancestor));

    [Theory]
    [InlineData(null, MountFlags.MS_SLAVE | MountFlags.MS_REC)]
    [InlineData(MountFlags.MS_PRIVATE, MountFlags.MS_PRIVATE)]
    [InlineData(MountFlags.MS_SHARED | MountFlags.MS_REC, MountFlags.MS_SHARED | MountFlags.MS_REC)]
    [InlineData(MountFlags.MS_UNBINDABLE, MountFlags.MS_SLAVE | MountFlags.MS_REC)]
    [InlineData(MountFlags.MS_UNBINDABLE | MountFlags.MS_REC, MountFlags.MS_SLAVE | MountFlags.MS_REC)]
    public void An_unbindable_root_propagation_is_not_set_on_the_host_root_before_pivot(ulong? configured, ulong expected) =>
        Assert.Equal(expected, RootfsSetup.PrePivotRootPropagation(configured));

    [Theory]
    [InlineData("rw,cpu", "cpu")]
    [InlineData("rw,cpu,cpuacct", "cpu,cpuacct")]
    [InlineData("rw,name=systemd", "name=systemd")]
    [InlineData("rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd", "xattr,name=systemd")]
    [InlineData("ro,memory", "memory")]
    public void Cgroup_v1_data_keeps_controllers_and_name(string superOptions, string expected) =>
        Assert.Equal(expected, RootfsSetup.CgroupV1Data(superOptions));

    private const string OwnCgroups = """
        9:name=systemd:/
        4:memory:/process_api/87e5
        2:cpu,cpuacct:/user.slice
        0::/system.slice/quai.service
        """;

    [Fact]
    public void Proc_self_cgroup_is_parsed()
    {
        var own = RootfsSetup.ParseOwnCgroups(OwnCgroups);
        Assert.Equal(4, own.Count);
        Assert.Equal((4, "memory", "/process_api/87e5"), own[1]);
        Assert.Equal((0, "", "/system.slice/quai.service"), own[3]);
    }

    [Theory]
    [InlineData("40 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory", "/sys/fs/cgroup/memory/process_api/87e5")]
    [InlineData("40 31 0:32 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct/user.slice")]
    [InlineData("40 31 0:32 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd", "/sys/fs/cgroup/systemd")]
    [InlineData("41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw", "/sys/fs/cgroup/unified/system.slice/quai.service")]
    [InlineData("41 31 0:38 /system.slice /sys/fs/cgroup rw - cgroup2 cgroup2 rw", "/sys/fs/cgroup/quai.service")]
    [InlineData("41 31 0:38 /other /sys/fs/cgroup rw - cgroup2 cgroup2 rw", "/sys/fs/cgroup")]
    [InlineData("40 31 0:32 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids", "/sys/fs/cgroup/pids")]
    public void The_own_cgroup_directory_is_found_under_its_hierarchy(string mountinfo, string expected) =>
        Assert.Equal(expected, RootfsSetup.HostCgroupDirectory(MountInfo.ParseLine(mountinfo), RootfsSetup.ParseOwnCgroups(OwnCgroups)));

    [Fact]
    public void A_pure_v2_host_is_told_from_a_hybrid_one()
    {
        var pure = MountInfo.Parse("31 23 0:28 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
        var hybrid = MountInfo.Parse("""
            31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu
            41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
            """);
        Assert.True(RootfsSetup.IsUnifiedOnly(pure));
        Assert.False(RootfsSetup.IsUnifiedOnly(hybrid));
    }

    [Fact]
    public void A_hierarchy_mounted_twice_is_shown_once_from_under_sys_fs_cgroup()
    {
        // The bind of a cgroup directory on /tmp (a test, another tool) comes after the real
        // mounts and, for cgroup2, before them: neither may reach the container.
        var mounts = MountInfo.Parse("""
            31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755
            90 23 0:38 /quai-test /tmp/quai-cg2-AB rw - cgroup2 cgroup2 rw
            32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
            33 31 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
            41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate
            91 23 0:30 / /mnt/memory rw - cgroup cgroup rw,memory
            92 23 0:31 / /mnt/pids rw - cgroup cgroup rw,pids
            """);
        Assert.Equal(
            ["/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/unified", "/mnt/pids"],
            RootfsSetup.HierarchyMounts(mounts).Select(m => m.MountPoint));
    }
}
