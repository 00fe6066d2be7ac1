using Quai.Oci.Runtime;
using Quai.Runtime.Cgroups;

namespace Quai.Runtime.Tests.Cgroups;

/// <summary>The v2 manager on a fake cgroup2 tree: what it writes where, and how it reads state and stats.</summary>
public class V2FakeTreeTests
{
    private const string AllControllers = "cpuset cpu io memory hugetlb pids rdma misc";

    private static (FakeCgroupTree Tree, ICgroupManager Manager) Open(string path = "/quai/abc")
    {
        var tree = new FakeCgroupTree();
        tree.V2Cgroup("", AllControllers);
        tree.V2Cgroup("quai", AllControllers);
        tree.V2Cgroup("quai/abc", AllControllers, "memory.max", "memory.swap.max", "memory.low", "cpu.weight", "cpu.max", "pids.max", "io.weight", "io.max");
        var m = CgroupManager.Open(path, "abc", false, tree.Environment(FakeCgroupTree.V2MountInfo, "0::/\n"));
        return (tree, m);
    }

    [Fact]
    public void Create_enables_controllers_in_ancestors_then_writes_limits()
    {
        var (tree, m) = Open();
        using var _ = tree;
        m.Create(new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 1 << 28 },
            Cpu = new LinuxCpu { Shares = 2048, Quota = 25000, Period = 100000 },
            Pids = new LinuxPids { Limit = -1 },
        });
        var writes = tree.Logger.Writes(tree.Root);
        Assert.Equal(
            ["cgroup.subtree_control=+cpuset", "cgroup.subtree_control=+cpu", "cgroup.subtree_control=+io", "cgroup.subtree_control=+memory"],
            writes.Take(4));
        Assert.Contains("quai/cgroup.subtree_control=+pids", writes);
        Assert.Equal(["quai/abc/memory.max=268435456", "quai/abc/cpu.weight=79", "quai/abc/cpu.max=25000 100000", "quai/abc/pids.max=max"], writes.Where(w => w.StartsWith("quai/abc/", StringComparison.Ordinal)));
        Assert.Equal("25000 100000", tree.Read("quai/abc/cpu.max"));
        Assert.Equal(CgroupLayout.V2, m.Layout);
    }

    [Fact]
    public void Controllers_already_enabled_are_not_written_again()
    {
        var (tree, m) = Open();
        using var _ = tree;
        tree.File("cgroup.subtree_control", AllControllers);
        tree.File("quai/cgroup.subtree_control", AllControllers);
        m.Create(null);
        Assert.Empty(tree.Logger.Writes(tree.Root));
    }

    [Fact]
    public void A_limit_for_a_controller_the_cgroup_lacks_is_a_clear_error()
    {
        var (tree, m) = Open();
        using var _ = tree;
        tree.File("quai/abc/cgroup.controllers", "cpu memory");
        var e = Assert.Throws<CgroupException>(() => m.Create(new LinuxResources { Pids = new LinuxPids { Limit = 10 } }));
        Assert.Contains("pids controller", e.Message, StringComparison.Ordinal);
        Assert.Contains("quai/abc", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unified_keys_are_written_as_given()
    {
        var (tree, m) = Open();
        using var _ = tree;
        tree.File("quai/abc/memory.high", "max");
        m.Update(new LinuxResources { Unified = new() { ["memory.high"] = "123456789" } });
        Assert.Equal("123456789", tree.Read("quai/abc/memory.high"));
    }

    [Fact]
    public void Unified_key_without_its_file_names_the_file()
    {
        var (tree, m) = Open();
        using var _ = tree;
        var e = Assert.Throws<CgroupException>(() => m.Update(new LinuxResources { Unified = new() { ["memory.oom.group"] = "1" } }));
        Assert.Contains("memory.oom.group", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_before_update_refuses_a_limit_below_usage()
    {
        var (tree, m) = Open();
        using var _ = tree;
        tree.File("quai/abc/memory.current", "5000000\n");
        var e = Assert.Throws<CgroupException>(() => m.Update(new LinuxResources { Memory = new LinuxMemory { Limit = 1000000, CheckBeforeUpdate = true } }));
        Assert.Contains("5000000", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", "populated 1\nfrozen 0\n", FreezerState.Thawed)]
    [InlineData("1", "populated 1\nfrozen 0\n", FreezerState.Thawed)]
    [InlineData("1", "populated 1\nfrozen 1\n", FreezerState.Frozen)]
    public void Freezer_state_needs_both_the_request_and_the_frozen_event(string freeze, string events, FreezerState expected)
    {
        var (tree, m) = Open();
        using var _ = tree;
        tree.File("quai/abc/cgroup.freeze", freeze);
        tree.File("quai/abc/cgroup.events", events);
        Assert.Equal(expected, m.GetFreezerState());
    }

    [Fact]
    public void Freeze_waits_for_the_kernel_and_times_out_with_the_events_text()
    {
        var (tree, m) = Open();
        using var _ = tree;
        var e = Assert.Throws<CgroupException>(m.Freeze);
        Assert.Contains("frozen 0", e.Message, StringComparison.Ordinal);
        Assert.Equal("1", tree.Read("quai/abc/cgroup.freeze"));
        tree.File("quai/abc/cgroup.events", "populated 1\nfrozen 1\n");
        m.Freeze();
        Assert.Equal(FreezerState.Frozen, m.GetFreezerState());
    }

    [Fact]
    public void Pids_are_collected_recursively()
    {
        var (tree, m) = Open();
        using var _ = tree;
        tree.File("quai/abc/cgroup.procs", "12\n7\n");
        tree.File("quai/abc/sub/cgroup.procs", "99\n12\n");
        Assert.Equal([7, 12, 99], m.GetPids());
    }

    [Fact]
    public void Sigkill_uses_cgroup_kill()
    {
        var (tree, m) = Open();
        using var _ = tree;
        tree.File("quai/abc/cgroup.kill", "");
        m.Kill(9);
        Assert.Equal("1", tree.Read("quai/abc/cgroup.kill"));
    }

    [Fact]
    public void Stats_are_read_from_v2_files()
    {
        var (tree, m) = Open();
        using var _ = tree;
        tree.File("quai/abc/memory.current", "1048576\n");
        tree.File("quai/abc/memory.peak", "2097152\n");
        tree.File("quai/abc/memory.max", "max\n");
        tree.File("quai/abc/memory.events", "low 0\nhigh 0\nmax 4\noom 2\noom_kill 1\noom_group_kill 0\n");
        tree.File("quai/abc/memory.swap.current", "0\n");
        tree.File("quai/abc/memory.stat", "anon 4096\nfile 8192\n");
        tree.File("quai/abc/cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 10\nnr_throttled 3\nthrottled_usec 250\n");
        tree.File("quai/abc/pids.current", "3\n");
        tree.File("quai/abc/pids.max", "64\n");
        tree.File("quai/abc/io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n253:1 rbytes=1 wbytes=2\n");
        var s = m.GetStats();
        Assert.Equal(new CgroupMemoryStats { Usage = 1048576, MaxUsage = 2097152, Limit = null, Failcnt = 4, OomKills = 1, SwapUsage = 0, Stat = s.Memory!.Stat }, s.Memory);
        Assert.Equal(8192UL, s.Memory.Stat["file"]);
        Assert.Equal(new CgroupCpuStats { UsageNanos = 1500000, UserNanos = 1000000, SystemNanos = 500000, Periods = 10, ThrottledPeriods = 3, ThrottledNanos = 250000 }, s.Cpu);
        Assert.Equal(new CgroupPidsStats { Current = 3, Limit = 64 }, s.Pids);
        Assert.Equal(
            [new(8, 0, "Read", 4096), new(8, 0, "Write", 8192), new(8, 0, "Discard", 0), new(253, 1, "Read", 1), new CgroupBlkioEntry(253, 1, "Write", 2)],
            s.BlkioBytes);
    }

    [Fact]
    public void Destroy_of_a_default_cgroup_removes_the_quai_parent_with_its_last_container()
    {
        using var tree = new FakeCgroupTree();
        var env = tree.Environment(FakeCgroupTree.V2MountInfo, "0::/\n");
        var a = CgroupManager.Open(null, "a", false, env);
        var b = CgroupManager.Open(null, "b", false, env);
        a.Create(null);
        b.Create(null);
        Assert.True(Directory.Exists(Path.Combine(tree.Root, "quai", "b")));
        a.Destroy();
        Assert.False(Directory.Exists(Path.Combine(tree.Root, "quai", "a")));
        Assert.True(Directory.Exists(Path.Combine(tree.Root, "quai")));
        b.Destroy();
        Assert.False(Directory.Exists(Path.Combine(tree.Root, "quai")));
        // Idempotent, and an explicit path keeps its parents.
        b.Destroy();
        var c = CgroupManager.Open("/keep/c", "c", false, env);
        c.Create(null);
        c.Destroy();
        Assert.True(Directory.Exists(Path.Combine(tree.Root, "keep")));
    }
}
