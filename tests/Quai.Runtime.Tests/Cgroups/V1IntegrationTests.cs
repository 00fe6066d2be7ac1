using System.Diagnostics;
using Quai.Oci.Runtime;
using Quai.Runtime.Cgroups;
using Quai.Testing;

namespace Quai.Runtime.Tests.Cgroups;

/// <summary>
/// Root tests on this host's real cgroup v1 hierarchies (hybrid: v1 controllers plus cgroup2 at
/// /sys/fs/cgroup/unified). Every cgroup is /quai-test-&lt;guid&gt; and destroyed in finally.
/// </summary>
public class V1IntegrationTests
{
    private const long MiB = 1 << 20;
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    private static ICgroupManager OpenUnique()
    {
        Quai.Testing.Root.Require();
        var m = CgroupManager.Open("/quai-test-" + Guid.NewGuid().ToString("N")[..16], "test", systemd: false);
        Assert.NotEqual(CgroupLayout.V2, m.Layout);
        return m;
    }

    /// <summary>The real directory of the manager's cgroup in a hierarchy ("" = unified).</summary>
    private static string Dir(ICgroupManager m, string controller)
    {
        var mount = CgroupMount.Parse(File.ReadAllText("/proc/self/mountinfo"))
            .First(x => controller.Length == 0 ? x.IsV2 : x.Controllers.Contains(controller));
        return mount.DirectoryOf(m.Paths[controller]);
    }

    private static string ReadFile(ICgroupManager m, string controller, string file) =>
        File.ReadAllText(Path.Combine(Dir(m, controller), file)).Trim();

    private static void AssertGone(ICgroupManager m)
    {
        foreach (var controller in m.Paths.Keys)
        {
            Assert.False(Directory.Exists(Dir(m, controller)), $"{Dir(m, controller)} still exists");
        }
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Long, "timed out waiting for " + what);
            Thread.Sleep(10);
        }
    }

    [Fact]
    public void Create_places_a_process_and_limits_read_back()
    {
        var m = OpenUnique();
        try
        {
            m.Create(new LinuxResources
            {
                Memory = new LinuxMemory { Limit = 64 * MiB, Swap = 64 * MiB, Reservation = 32 * MiB },
                Cpu = new LinuxCpu { Shares = 512, Quota = 50000, Period = 100000, Cpus = "0", Mems = "0" },
                Pids = new LinuxPids { Limit = 50 },
                Devices =
                [
                    new LinuxDeviceCgroup { Allow = false, Access = "rwm" },
                    new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
                ],
            });
            using var child = CgroupChild.Start("sleep 60");
            m.AddProcess(child.Pid);

            var cgroups = File.ReadAllLines($"/proc/{child.Pid}/cgroup");
            Assert.Contains($"memory:{m.Path}", cgroups.Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..]));
            Assert.Contains($"0::{m.Path}", cgroups);
            Assert.Equal("67108864", ReadFile(m, "memory", "memory.limit_in_bytes"));
            Assert.Equal("67108864", ReadFile(m, "memory", "memory.memsw.limit_in_bytes"));
            Assert.Equal("33554432", ReadFile(m, "memory", "memory.soft_limit_in_bytes"));
            Assert.Equal("512", ReadFile(m, "cpu", "cpu.shares"));
            Assert.Equal("50000", ReadFile(m, "cpu", "cpu.cfs_quota_us"));
            Assert.Equal("100000", ReadFile(m, "cpu", "cpu.cfs_period_us"));
            Assert.Equal("0", ReadFile(m, "cpuset", "cpuset.cpus"));
            Assert.Equal("50", ReadFile(m, "pids", "pids.max"));
            Assert.Equal("c 1:3 rwm", ReadFile(m, "devices", "devices.list"));
            Assert.Contains(child.Pid, m.GetPids());

            var stats = m.GetStats();
            Assert.Equal(64UL * MiB, stats.Memory!.Limit);
            Assert.Equal(0UL, stats.Memory.OomKills);
            Assert.Equal(new CgroupPidsStats { Current = 1, Limit = 50 }, stats.Pids);
            Assert.NotNull(stats.Cpu);

            m.Kill(9);
            Assert.Equal(137, child.WaitForExit(Long));
        }
        finally
        {
            m.Destroy();
        }
        AssertGone(m);
    }

    [Fact]
    public void Memory_limit_oom_kills_a_hog_and_stats_count_it()
    {
        var m = OpenUnique();
        try
        {
            m.Create(new LinuxResources { Memory = new LinuxMemory { Limit = 32 * MiB } });
            using var child = CgroupChild.Start("x=$(head -c 200m /dev/zero | tr '\\0' x); echo survived");
            m.AddProcess(child.Pid);
            child.Go();
            Assert.Equal(137, child.WaitForExit(Long));
            var memory = m.GetStats().Memory!;
            Assert.True(memory.OomKills >= 1, $"oom_kill is {memory.OomKills}");
            Assert.True(memory.Failcnt > 0);
            Assert.True(memory.MaxUsage <= 32 * MiB);
            WaitUntil(() => m.GetPids().Count == 0, "the hog's pipeline to exit");
        }
        finally
        {
            m.Kill(9);
            m.Destroy();
        }
        AssertGone(m);
    }

    [Fact]
    public void Pids_limit_stops_a_fork_bomb()
    {
        var m = OpenUnique();
        try
        {
            m.Create(new LinuxResources { Pids = new LinuxPids { Limit = 5 } });
            using var child = CgroupChild.Start("i=0; while [ $i -lt 20 ]; do sleep 60 >/dev/null 2>&1 & i=$((i+1)); done; echo all forked");
            m.AddProcess(child.Pid);
            child.Go();
            Assert.NotEqual(0, child.WaitForExit(Long));
            Assert.Contains("can't fork", child.Stderr, StringComparison.Ordinal);
            Assert.Equal(0, child.StdoutLines);
            Assert.InRange(m.GetPids().Count, 1, 5);
            Assert.InRange(m.GetStats().Pids!.Current, 1UL, 5UL);

            m.Kill(9);
            WaitUntil(() => m.GetPids().Count == 0, "the orphaned sleeps to die");
        }
        finally
        {
            m.Kill(9);
            m.Destroy();
        }
        AssertGone(m);
    }

    [Fact]
    public void Freeze_stops_a_process_and_thaw_resumes_it()
    {
        var m = OpenUnique();
        try
        {
            m.Create(null);
            using var child = CgroupChild.Start("while true; do echo tick; sleep 0.02; done");
            m.AddProcess(child.Pid);
            child.Go();
            WaitUntil(() => child.StdoutLines >= 3, "ticks");

            m.Freeze();
            Assert.Equal(FreezerState.Frozen, m.GetFreezerState());
            Assert.Equal("FROZEN", ReadFile(m, "freezer", "freezer.state"));
            Thread.Sleep(100); // lets our reader drain what was written before the freeze
            var frozenAt = child.StdoutLines;
            Thread.Sleep(300);
            Assert.Equal(frozenAt, child.StdoutLines);

            m.Thaw();
            Assert.Equal(FreezerState.Thawed, m.GetFreezerState());
            Assert.Equal("THAWED", ReadFile(m, "freezer", "freezer.state"));
            WaitUntil(() => child.StdoutLines > frozenAt, "ticks after thaw");
        }
        finally
        {
            m.Kill(9);
            m.Destroy();
        }
        AssertGone(m);
    }

    [Fact]
    public void Kill_signals_every_process_including_children()
    {
        var m = OpenUnique();
        try
        {
            m.Create(null);
            using var child = CgroupChild.Start("sleep 60 >/dev/null 2>&1 & sleep 60 >/dev/null 2>&1 & echo forked; wait");
            m.AddProcess(child.Pid);
            child.Go();
            WaitUntil(() => child.StdoutLines == 1 && m.GetPids().Count == 3, "three processes");

            m.Kill(15);
            Assert.Equal(128 + 15, child.WaitForExit(Long));
            WaitUntil(() => m.GetPids().Count == 0, "every process to exit on SIGTERM");
            Assert.Equal(FreezerState.Thawed, m.GetFreezerState());
        }
        finally
        {
            m.Kill(9);
            m.Destroy();
        }
        AssertGone(m);
    }

    [Fact]
    public void Update_changes_limits_in_place()
    {
        var m = OpenUnique();
        try
        {
            m.Create(new LinuxResources { Memory = new LinuxMemory { Limit = 64 * MiB, Swap = 64 * MiB }, Pids = new LinuxPids { Limit = 10 } });
            m.Update(new LinuxResources { Memory = new LinuxMemory { Limit = 128 * MiB, Swap = 256 * MiB }, Pids = new LinuxPids { Limit = 0 }, Cpu = new LinuxCpu { Quota = 20000 } });
            Assert.Equal("134217728", ReadFile(m, "memory", "memory.limit_in_bytes"));
            Assert.Equal("268435456", ReadFile(m, "memory", "memory.memsw.limit_in_bytes"));
            Assert.Equal("max", ReadFile(m, "pids", "pids.max"));
            Assert.Equal("20000", ReadFile(m, "cpu", "cpu.cfs_quota_us"));
            // Shrinking both needs the limit written before memsw.
            m.Update(new LinuxResources { Memory = new LinuxMemory { Limit = 16 * MiB, Swap = 16 * MiB } });
            Assert.Equal("16777216", ReadFile(m, "memory", "memory.limit_in_bytes"));
            Assert.Equal("16777216", ReadFile(m, "memory", "memory.memsw.limit_in_bytes"));
            var e = Assert.Throws<CgroupException>(() => m.Update(new LinuxResources { Cpu = new LinuxCpu { Shares = 1024, Cpus = "0-4096" } }));
            Assert.Contains("cpuset.cpus", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            m.Destroy();
        }
        AssertGone(m);
    }

    [Fact]
    public void Destroy_is_idempotent_and_waits_for_exiting_tasks()
    {
        var m = OpenUnique();
        try
        {
            m.Create(null);
            using var child = CgroupChild.Start("sleep 60");
            m.AddProcess(child.Pid);
            m.Kill(9);
            // No wait for the exit: rmdir may see EBUSY while the task is dying, and retries.
            m.Destroy();
            AssertGone(m);
            child.WaitForExit(Long);
        }
        finally
        {
            m.Destroy();
        }
        AssertGone(m);
    }

    [Fact]
    public void Relative_path_nests_under_the_test_process_own_cgroup()
    {
        Quai.Testing.Root.Require();
        var name = "quai-test-" + Guid.NewGuid().ToString("N")[..16];
        var m = CgroupManager.Open(name, "test", systemd: false);
        var own = CgroupManager.ParseSelfCgroup(File.ReadAllText("/proc/self/cgroup"));
        try
        {
            m.Create(null);
            Assert.Equal(own["memory"].TrimEnd('/') + "/" + name, m.Paths["memory"]);
            Assert.True(Directory.Exists(Dir(m, "memory")));
            Assert.True(Directory.Exists(Dir(m, "pids")));
        }
        finally
        {
            // As `quai-runtime delete` would: from the paths saved in the container state.
            CgroupManager.Reopen(m.Paths).Destroy();
        }
        AssertGone(m);
    }

    [Fact]
    public void Default_path_is_quai_slash_id_in_every_hierarchy()
    {
        Quai.Testing.Root.Require();
        var id = "quai-test-" + Guid.NewGuid().ToString("N")[..16];
        var m = CgroupManager.Open(null, id, systemd: false);
        try
        {
            m.Create(null);
            Assert.All(m.Paths.Values, p => Assert.Equal("/quai/" + id, p));
            Assert.All(m.Paths.Keys, c => Assert.True(Directory.Exists(Dir(m, c)), Dir(m, c)));
        }
        finally
        {
            m.Destroy();
        }
        // "/quai" itself goes too unless another container (another test suite) still uses it.
        AssertGone(m);
    }

    [Fact]
    public void Sigkill_of_a_paused_container_kills_and_thaws_it()
    {
        var m = OpenUnique();
        try
        {
            m.Create(null);
            using var child = CgroupChild.Start("sleep 60");
            m.AddProcess(child.Pid);
            m.Freeze();
            m.Kill(9);
            Assert.Equal(137, child.WaitForExit(Long));
            Assert.Equal(FreezerState.Thawed, m.GetFreezerState());
        }
        finally
        {
            m.Destroy();
        }
        AssertGone(m);
    }
}
