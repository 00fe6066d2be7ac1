using Microsoft.Extensions.Logging;
using Quai.Oci.Runtime;
using Quai.Runtime.Cgroups;

namespace Quai.Runtime.Tests.Cgroups;

/// <summary>The v1/hybrid manager on a fake tree shaped like this host's /sys/fs/cgroup.</summary>
public class V1FakeTreeTests
{
    private static readonly string[] Hierarchies = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd"];

    private static FakeCgroupTree Tree()
    {
        var tree = new FakeCgroupTree();
        foreach (var h in Hierarchies)
        {
            tree.File($"{h}/x/cgroup.procs", "");
        }
        tree.File("cpuset/cpuset.cpus", "0-3");
        tree.File("cpuset/cpuset.mems", "0");
        tree.File("cpuset/x/cpuset.cpus", "");
        tree.File("cpuset/x/cpuset.mems", "");
        foreach (var f in new[] { "memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.soft_limit_in_bytes", "memory.swappiness", "memory.oom_control", "memory.kmem.tcp.limit_in_bytes" })
        {
            tree.File($"memory/x/{f}", "9223372036854771712");
        }
        foreach (var f in new[] { "cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.cfs_burst_us", "cpu.rt_period_us", "cpu.rt_runtime_us" })
        {
            tree.File($"cpu/x/{f}", "");
        }
        foreach (var f in new[] { "devices.allow", "devices.deny", "pids/x/pids.max", "blkio.bfq.weight", "blkio.bfq.weight_device", "blkio.throttle.read_bps_device", "blkio.throttle.write_iops_device" })
        {
            tree.File(f.StartsWith("pids/", StringComparison.Ordinal) ? f : $"{(f.StartsWith("devices", StringComparison.Ordinal) ? "devices" : "blkio")}/x/{f}", "");
        }
        tree.V2Cgroup("unified", "hugetlb");
        tree.V2Cgroup("unified/x", "hugetlb", "hugetlb.2MB.max");
        return tree;
    }

    private static ICgroupManager Open(FakeCgroupTree tree, string mountInfo = FakeCgroupTree.HybridMountInfo) =>
        CgroupManager.Open("/x", "abc", false, tree.Environment(mountInfo, FakeCgroupTree.HybridSelfCgroup));

    [Fact]
    public void Create_writes_every_v1_file_in_runc_order()
    {
        using var tree = Tree();
        var m = Open(tree);
        m.Create(new LinuxResources
        {
            Devices =
            [
                new LinuxDeviceCgroup { Allow = false, Access = "rwm" },
                new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
                new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 136, Access = "rw" },
            ],
            Memory = new LinuxMemory { Limit = 64 << 20, Swap = 128 << 20, Reservation = 32 << 20, Swappiness = 0, DisableOomKiller = true, KernelTcp = 1 << 20 },
            Cpu = new LinuxCpu { Shares = 512, Quota = 50000, Period = 100000, Burst = 10, RealtimePeriod = 1000000, RealtimeRuntime = 950000, Cpus = "1", Mems = "0" },
            Pids = new LinuxPids { Limit = 32 },
            BlockIo = new LinuxBlockIo
            {
                Weight = 300,
                WeightDevice = [new LinuxWeightDevice { Major = 8, Minor = 0, Weight = 200 }],
                ThrottleReadBpsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 1048576 }],
                ThrottleWriteIopsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 0 }],
            },
        });
        Assert.Equal(
            [
                "cpuset/x/cpuset.cpus=0-3",
                "cpuset/x/cpuset.mems=0",
                "devices/x/devices.deny=a",
                "devices/x/devices.deny=a *:* rwm",
                "devices/x/devices.allow=c 1:3 rwm",
                "devices/x/devices.allow=c 136:* rw",
                // Raising from "unlimited": memsw is above the current limit, so the limit goes first.
                "memory/x/memory.limit_in_bytes=67108864",
                "memory/x/memory.memsw.limit_in_bytes=134217728",
                "memory/x/memory.soft_limit_in_bytes=33554432",
                "memory/x/memory.kmem.tcp.limit_in_bytes=1048576",
                "memory/x/memory.swappiness=0",
                "memory/x/memory.oom_control=1",
                "cpu/x/cpu.shares=512",
                "cpu/x/cpu.cfs_period_us=100000",
                "cpu/x/cpu.cfs_quota_us=50000",
                "cpu/x/cpu.cfs_burst_us=10",
                "cpu/x/cpu.rt_period_us=1000000",
                "cpu/x/cpu.rt_runtime_us=950000",
                "cpuset/x/cpuset.cpus=1",
                "cpuset/x/cpuset.mems=0",
                "pids/x/pids.max=32",
                "blkio/x/blkio.bfq.weight=300",
                "blkio/x/blkio.bfq.weight_device=8:0 200",
                "blkio/x/blkio.throttle.read_bps_device=8:0 1048576",
                "blkio/x/blkio.throttle.write_iops_device=8:0 0",
            ],
            tree.Logger.Writes(tree.Root));
        Assert.Equal(CgroupLayout.Hybrid, m.Layout);
    }

    [Fact]
    public void Memory_and_swap_order_follows_the_current_limit()
    {
        using var tree = Tree();
        var m = Open(tree);
        // Growing past the current limit: memsw first, so that memsw >= limit holds at each step.
        tree.File("memory/x/memory.limit_in_bytes", "1073741824");
        m.Update(new LinuxResources { Memory = new LinuxMemory { Limit = 2147483648, Swap = 3221225472 } });
        // Shrinking: the limit first.
        tree.File("memory/x/memory.limit_in_bytes", "2147483648");
        m.Update(new LinuxResources { Memory = new LinuxMemory { Limit = 536870912, Swap = 805306368 } });
        // Unlimited memory implies unlimited memsw, written first.
        m.Update(new LinuxResources { Memory = new LinuxMemory { Limit = -1 } });
        Assert.Equal(
            [
                "memory/x/memory.memsw.limit_in_bytes=3221225472",
                "memory/x/memory.limit_in_bytes=2147483648",
                "memory/x/memory.limit_in_bytes=536870912",
                "memory/x/memory.memsw.limit_in_bytes=805306368",
                "memory/x/memory.memsw.limit_in_bytes=-1",
                "memory/x/memory.limit_in_bytes=-1",
            ],
            tree.Logger.Writes(tree.Root));
    }

    [Fact]
    public void Allow_all_devices_writes_a_to_allow_only()
    {
        using var tree = Tree();
        Open(tree).Update(new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = true, Access = "rwm" }] });
        Assert.Equal(["devices/x/devices.allow=a"], tree.Logger.Writes(tree.Root));
    }

    [Fact]
    public void Unsupported_kernel_memory_is_a_warning()
    {
        using var tree = Tree();
        Open(tree).Update(new LinuxResources { Memory = new LinuxMemory { Kernel = 1 << 20 } });
        Assert.Contains(tree.Logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("memory.kmem.limit_in_bytes", StringComparison.Ordinal));
    }

    [Fact]
    public void Hugetlb_and_unified_keys_go_to_the_cgroup2_side_of_a_hybrid_host()
    {
        using var tree = Tree();
        tree.File("unified/x/hugetlb.2MB.rsvd.max", "max");
        Open(tree).Update(new LinuxResources
        {
            HugepageLimits = [new LinuxHugepageLimit { PageSize = "2MB", Limit = 2097152 }],
            Unified = new() { ["hugetlb.2MB.rsvd.max"] = "4194304" },
        });
        Assert.Equal(
            ["unified/cgroup.subtree_control=+hugetlb", "unified/x/hugetlb.2MB.max=2097152", "unified/x/hugetlb.2MB.rsvd.max=4194304"],
            tree.Logger.Writes(tree.Root));
    }

    [Fact]
    public void A_whole_hierarchy_mount_serves_before_a_bind_of_a_sub_tree()
    {
        // Binds of one cgroup directory elsewhere, listed before the real mounts: a sub-tree
        // cannot reach /x, so the mounts at /sys/fs/cgroup must serve.
        using var tree = Tree();
        var mountInfo = FakeCgroupTree.HybridMountInfo.Replace(
            "31 23 0:28 / /sys/fs/cgroup",
            "90 27 0:38 /quai-test /tmp/quai-cg2-AB rw - cgroup2 cgroup2 rw\n91 27 0:32 /y /tmp/mem rw - cgroup cgroup rw,memory\n31 23 0:28 / /sys/fs/cgroup",
            StringComparison.Ordinal);
        Open(tree, mountInfo).Update(new LinuxResources
        {
            Memory = new LinuxMemory { Swappiness = 10 },
            HugepageLimits = [new LinuxHugepageLimit { PageSize = "2MB", Limit = 2097152 }],
        });
        Assert.Equal(
            ["memory/x/memory.swappiness=10", "unified/cgroup.subtree_control=+hugetlb", "unified/x/hugetlb.2MB.max=2097152"],
            tree.Logger.Writes(tree.Root));
    }

    [Fact]
    public void Unified_keys_on_pure_v1_are_an_error()
    {
        using var tree = Tree();
        var v1 = string.Join('\n', FakeCgroupTree.HybridMountInfo.Split('\n').Where(l => !l.Contains("cgroup2", StringComparison.Ordinal)));
        var m = Open(tree, v1);
        Assert.Equal(CgroupLayout.V1, m.Layout);
        var e = Assert.Throws<CgroupException>(() => m.Update(new LinuxResources { Unified = new() { ["memory.high"] = "1" } }));
        Assert.Contains("cgroup v2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_limit_for_an_unmounted_controller_is_an_error_naming_it()
    {
        using var tree = Tree();
        var e = Assert.Throws<CgroupException>(() => Open(tree).Update(new LinuxResources { Network = new LinuxNetwork { ClassId = 0x100001 } }));
        Assert.Contains("net_cls controller is not mounted", e.Message, StringComparison.Ordinal);
        Assert.Contains(tree.Logger.Entries, en => en.Level == LogLevel.Debug && en.Message.Contains("net_prio", StringComparison.Ordinal));
    }

    [Fact]
    public void Out_of_range_swappiness_and_bad_device_rules_are_refused()
    {
        using var tree = Tree();
        var m = Open(tree);
        Assert.Throws<CgroupException>(() => m.Update(new LinuxResources { Memory = new LinuxMemory { Swappiness = 101 } }));
        Assert.Throws<CgroupException>(() => m.Update(new LinuxResources { Devices = [new LinuxDeviceCgroup { Type = "x" }] }));
        Assert.Throws<CgroupException>(() => m.Update(new LinuxResources { Devices = [new LinuxDeviceCgroup { Access = "rwx" }] }));
    }

    [Theory]
    [InlineData("THAWED", FreezerState.Thawed)]
    [InlineData("FREEZING", FreezerState.Thawed)]
    [InlineData("FROZEN", FreezerState.Frozen)]
    public void Freezer_state_is_read_from_freezer_state(string text, FreezerState expected)
    {
        using var tree = Tree();
        tree.File("freezer/x/freezer.state", text + "\n");
        Assert.Equal(expected, Open(tree).GetFreezerState());
    }

    [Fact]
    public void Pids_are_the_union_of_every_hierarchy()
    {
        using var tree = Tree();
        tree.File("memory/x/cgroup.procs", "5\n6\n");
        tree.File("pids/x/child/cgroup.procs", "7\n");
        tree.File("unified/x/cgroup.procs", "5\n8\n");
        Assert.Equal([5, 6, 7, 8], Open(tree).GetPids());
    }

    [Fact]
    public void Stats_are_read_from_v1_files()
    {
        using var tree = Tree();
        tree.File("memory/x/memory.usage_in_bytes", "4096\n");
        tree.File("memory/x/memory.max_usage_in_bytes", "8192\n");
        tree.File("memory/x/memory.limit_in_bytes", "33554432\n");
        tree.File("memory/x/memory.failcnt", "12\n");
        tree.File("memory/x/memory.memsw.usage_in_bytes", "6144\n");
        tree.File("memory/x/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        tree.File("memory/x/memory.stat", "cache 0\nrss 4096\ntotal_rss 4096\n");
        tree.File("cpuacct/x/cpuacct.usage", "123456789\n");
        tree.File("cpuacct/x/cpuacct.stat", "user 7\nsystem 3\n");
        tree.File("cpu/x/cpu.stat", "nr_periods 20\nnr_throttled 5\nthrottled_time 999\n");
        tree.File("pids/x/pids.current", "4\n");
        tree.File("pids/x/pids.max", "max\n");
        tree.File("blkio/x/blkio.throttle.io_service_bytes_recursive", "8:0 Read 100\n8:0 Write 200\n8:0 Sync 300\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 300\nTotal 300\n");
        var s = Open(tree).GetStats();
        Assert.Equal(new CgroupMemoryStats { Usage = 4096, MaxUsage = 8192, Limit = 33554432, Failcnt = 12, OomKills = 2, SwapUsage = 2048, Stat = s.Memory!.Stat }, s.Memory);
        Assert.Equal(4096UL, s.Memory.Stat["total_rss"]);
        Assert.Equal(new CgroupCpuStats { UsageNanos = 123456789, UserNanos = 70000000, SystemNanos = 30000000, Periods = 20, ThrottledPeriods = 5, ThrottledNanos = 999 }, s.Cpu);
        Assert.Equal(new CgroupPidsStats { Current = 4, Limit = null }, s.Pids);
        Assert.Equal(6, s.BlkioBytes.Count);
        Assert.Equal(new CgroupBlkioEntry(8, 0, "Write", 200), s.BlkioBytes[1]);
    }

    [Fact]
    public void Unlimited_v1_memory_reads_as_no_limit()
    {
        using var tree = Tree();
        tree.File("memory/x/memory.usage_in_bytes", "0\n");
        Assert.Null(Open(tree).GetStats().Memory!.Limit);
    }

    [Fact]
    public void Repeating_the_current_device_whitelist_writes_nothing()
    {
        using var tree = Tree();
        tree.File("devices/x/devices.list", "c 1:3 rwm\nc 136:* rw\n");
        var rules = new List<LinuxDeviceCgroup>
        {
            new() { Allow = false, Access = "rwm" },
            new() { Allow = true, Type = "c", Major = 136, Access = "rw" },
            new() { Allow = true, Type = "c", Major = 1, Minor = 3 },
        };
        var m = Open(tree);
        m.Update(new LinuxResources { Devices = rules });
        Assert.Empty(tree.Logger.Writes(tree.Root));
        // A different whitelist is rebuilt from deny-all.
        rules.Add(new() { Allow = true, Type = "c", Major = 1, Minor = 5 });
        m.Update(new LinuxResources { Devices = rules });
        Assert.Equal(
            ["devices/x/devices.deny=a", "devices/x/devices.deny=a *:* rwm", "devices/x/devices.allow=c 136:* rw", "devices/x/devices.allow=c 1:3 rwm", "devices/x/devices.allow=c 1:5 rwm"],
            tree.Logger.Writes(tree.Root));
    }
}
