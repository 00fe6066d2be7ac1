using Quai.Runtime.Cgroups;

namespace Quai.Runtime.Tests.Cgroups;

public class PathResolutionTests
{
    private static ICgroupManager OpenHybrid(string? path, FakeCgroupTree tree) =>
        CgroupManager.Open(path, "abc", systemd: false, tree.Environment(FakeCgroupTree.HybridMountInfo, FakeCgroupTree.HybridSelfCgroup));

    [Fact]
    public void No_path_means_quai_slash_id_in_every_hierarchy()
    {
        using var tree = new FakeCgroupTree();
        var m = OpenHybrid(null, tree);
        Assert.Equal(CgroupLayout.Hybrid, m.Layout);
        Assert.Equal("/quai/abc", m.Path);
        Assert.All(m.Paths.Values, p => Assert.Equal("/quai/abc", p));
        Assert.Equal(["", "blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "name=systemd", "pids"], m.Paths.Keys.Order());
    }

    [Fact]
    public void Absolute_path_is_from_each_hierarchy_root()
    {
        using var tree = new FakeCgroupTree();
        var m = OpenHybrid("/a/b", tree);
        Assert.Equal("/a/b", m.Paths["memory"]);
        Assert.Equal("/a/b", m.Paths[""]);
    }

    [Fact]
    public void Relative_path_nests_under_the_callers_cgroup_per_hierarchy()
    {
        using var tree = new FakeCgroupTree();
        var m = OpenHybrid("a/./b", tree);
        Assert.Equal("/process_api/6e239edd3e033cdfb42f1de089aaef06/a/b", m.Paths["memory"]);
        Assert.Equal("/a/b", m.Paths["cpu"]);
        Assert.Equal("/a/b", m.Paths[""]);
    }

    [Fact]
    public void Relative_path_on_v2_nests_under_the_0_line()
    {
        using var tree = new FakeCgroupTree();
        var m = CgroupManager.Open("ctr/x", "abc", false, tree.Environment(FakeCgroupTree.V2MountInfo, "0::/user.slice/session-1.scope\n"));
        Assert.Equal(CgroupLayout.V2, m.Layout);
        Assert.Equal("/user.slice/session-1.scope/ctr/x", m.Path);
    }

    [Theory]
    [InlineData("/a/../../etc")]
    [InlineData("..")]
    [InlineData("/")]
    [InlineData("/./")]
    public void Paths_that_leave_the_hierarchy_or_name_its_root_are_refused(string path)
    {
        using var tree = new FakeCgroupTree();
        var e = Assert.Throws<CgroupException>(() => OpenHybrid(path, tree));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Systemd_driver_without_systemd_says_so()
    {
        using var tree = new FakeCgroupTree();
        var env = tree.Environment(FakeCgroupTree.HybridMountInfo, FakeCgroupTree.HybridSelfCgroup);
        var e = Assert.Throws<CgroupException>(() => CgroupManager.Open("system.slice:quai:abc", "abc", systemd: true, env));
        Assert.Contains("/run/systemd/system", e.Message, StringComparison.Ordinal);
        Assert.Contains("--systemd-cgroup", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Systemd_driver_on_this_host_fails_clearly()
    {
        var e = Assert.Throws<CgroupException>(() => CgroupManager.Open(null, "abc", systemd: true));
        Assert.Contains("systemd", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Container_id_with_a_slash_is_refused()
    {
        using var tree = new FakeCgroupTree();
        var env = tree.Environment(FakeCgroupTree.HybridMountInfo, FakeCgroupTree.HybridSelfCgroup);
        Assert.Throws<CgroupException>(() => CgroupManager.Open(null, "../x", false, env));
    }

    [Fact]
    public void Parses_proc_self_cgroup()
    {
        var self = CgroupManager.ParseSelfCgroup("12:cpu,cpuacct:/a\n1:name=systemd:/init.scope\n0::/b\n");
        Assert.Equal("/a", self["cpu"]);
        Assert.Equal("/a", self["cpuacct"]);
        Assert.Equal("/init.scope", self["name=systemd"]);
        Assert.Equal("/b", self[""]);
    }

    [Fact]
    public void Reopen_from_saved_paths_ignores_the_callers_own_cgroup()
    {
        using var tree = new FakeCgroupTree();
        var created = OpenHybrid("ctr", tree);
        // A later `kill` or `delete` runs in another cgroup: the saved paths still win.
        var env = tree.Environment(FakeCgroupTree.HybridMountInfo, "4:memory:/elsewhere\n0::/elsewhere\n");
        var reopened = CgroupManager.Reopen(created.Paths, env);
        Assert.Equal(created.Paths.OrderBy(p => p.Key), reopened.Paths.OrderBy(p => p.Key));
        Assert.Equal(CgroupLayout.Hybrid, reopened.Layout);
        Assert.Equal(created.Path, reopened.Path);
    }

    [Fact]
    public void Reopen_on_v2_needs_the_unified_path_and_clean_paths()
    {
        using var tree = new FakeCgroupTree();
        var env = tree.Environment(FakeCgroupTree.V2MountInfo, "0::/\n");
        Assert.Equal("/a/b", CgroupManager.Reopen(new Dictionary<string, string> { [""] = "/a/b" }, env).Path);
        Assert.Throws<CgroupException>(() => CgroupManager.Reopen(new Dictionary<string, string> { ["memory"] = "/a" }, env));
        var e = Assert.Throws<CgroupException>(() => CgroupManager.Reopen(new Dictionary<string, string> { [""] = "/a/../b" }, env));
        Assert.Contains("/a/../b", e.Message, StringComparison.Ordinal);
    }
}
