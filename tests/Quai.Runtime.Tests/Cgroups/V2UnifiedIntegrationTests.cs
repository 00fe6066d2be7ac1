using Quai.Runtime.Cgroups;
using Quai.Testing;

namespace Quai.Runtime.Tests.Cgroups;

/// <summary>
/// Root tests of the cgroup2 core (cgroup.procs, cgroup.freeze, cgroup.kill) on this host's real
/// cgroup2 mount (/sys/fs/cgroup/unified here, /sys/fs/cgroup on a unified host).
/// </summary>
public class V2UnifiedIntegrationTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    private static V2Manager OpenUnique()
    {
        Root.Require();
        var mount = CgroupMount.Parse(File.ReadAllText("/proc/self/mountinfo")).First(m => m.IsV2);
        return new V2Manager(mount, "/quai-test-" + Guid.NewGuid().ToString("N")[..16], CgroupEnvironment.FromHost(), hybrid: true);
    }

    [Fact]
    public void Procs_freeze_thaw_and_cgroup_kill()
    {
        var m = OpenUnique();
        try
        {
            m.Create(null);
            using var child = CgroupChild.Start("sleep 60");
            m.AddProcess(child.Pid);
            Assert.Contains($"0::{m.Path}", File.ReadAllLines($"/proc/{child.Pid}/cgroup"));
            Assert.Equal([child.Pid], m.GetPids());

            m.Freeze();
            Assert.Equal(FreezerState.Frozen, m.GetFreezerState());
            Assert.Contains("frozen 1", File.ReadAllText(Path.Combine(m.Directory, "cgroup.events")), StringComparison.Ordinal);
            m.Thaw();
            Assert.Equal(FreezerState.Thawed, m.GetFreezerState());
            Assert.Contains("frozen 0", File.ReadAllText(Path.Combine(m.Directory, "cgroup.events")), StringComparison.Ordinal);

            Assert.NotNull(m.GetStats().Cpu);
            m.Kill(9);
            Assert.Equal(137, child.WaitForExit(Long));
        }
        finally
        {
            m.Destroy();
        }
        Assert.False(Directory.Exists(m.Directory));
    }

    [Fact]
    public void Sigterm_reaches_every_process_through_freeze_signal_thaw()
    {
        var m = OpenUnique();
        try
        {
            m.Create(null);
            using var child = CgroupChild.Start("sleep 60 >/dev/null 2>&1 & echo forked; wait");
            m.AddProcess(child.Pid);
            child.Go();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (m.GetPids().Count < 2)
            {
                Assert.True(clock.Elapsed < Long, "the background sleep never appeared");
                Thread.Sleep(10);
            }
            m.Kill(15);
            Assert.Equal(128 + 15, child.WaitForExit(Long));
            Assert.Equal(FreezerState.Thawed, m.GetFreezerState());
            while (m.GetPids().Count > 0)
            {
                Assert.True(clock.Elapsed < Long, "the background sleep survived SIGTERM");
                Thread.Sleep(10);
            }
        }
        finally
        {
            m.Kill(9);
            m.Destroy();
        }
        Assert.False(Directory.Exists(m.Directory));
    }

    [Fact]
    public void Sigkill_of_a_frozen_cgroup_kills_and_thaws_it()
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
        Assert.False(Directory.Exists(m.Directory));
    }
}
