using Quai.E2E.Tests.Infra;

namespace Quai.E2E.Tests;

/// <summary>--memory (OOM), --pids-limit, --cap-drop, --privileged.</summary>
public sealed class ResourceTests
{
    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Memory_limit_oom_kills_with_137_and_reports_OOMKilled(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var name = Daemon.Name("oom");
        try
        {
            (await d.D("run", "--name", name, "--memory", "32m", "--memory-swap", "32m", "busybox", "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1")).Exit(137);
            Assert.Equal("true 137 33554432", await d.Inspect(name, "{{.State.OOMKilled}} {{.State.ExitCode}} {{.HostConfig.Memory}}"));
        }
        finally
        {
            await d.D("rm", "-f", name);
        }
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Pids_limit_stops_a_fork_loop(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var r = await d.D("run", "--rm", "--pids-limit", "20", "busybox", "sh", "-c", "for i in $(seq 1 40); do sleep 1 & done; wait");
        Assert.Contains("can't fork", r.Stderr, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Capabilities_drop_and_privileged(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        (await d.D("run", "--rm", "busybox", "chown", "nobody", "/tmp")).Ok();
        var dropped = await d.D("run", "--rm", "--cap-drop", "ALL", "busybox", "chown", "nobody", "/tmp");
        Assert.Equal(1, dropped.ExitCode);
        Assert.Contains("Operation not permitted", dropped.Stderr, StringComparison.Ordinal);
        Assert.Equal("0000000000000000", await d.Ok("run", "--rm", "--cap-drop", "ALL", "busybox", "sh", "-c", "grep CapEff /proc/self/status | cut -f2"));
        Assert.Equal("00000000a80425fb", await d.Ok("run", "--rm", "busybox", "sh", "-c", "grep CapEff /proc/self/status | cut -f2"));
    }

    // quaid only: this sandbox's capability bounding set lacks CAP_SYS_RESOURCE, and runc (under
    // dockerd) fails any --privileged container here with "unable to apply caps: operation not
    // permitted" (privileged ignores --cap-drop), so dockerd cannot be the reference for this case.
    [Fact]
    public async Task Privileged_may_mount_and_sees_sys_read_write()
    {
        var d = await Daemons.GetAsync("quaid");
        var unprivileged = await d.D("run", "--rm", "busybox", "sh", "-c", "mkdir -p /mnt && mount -t tmpfs none /mnt");
        Assert.NotEqual(0, unprivileged.ExitCode);
        (await d.D("run", "--rm", "--privileged", "busybox", "sh", "-c", "mkdir -p /mnt && mount -t tmpfs none /mnt")).Ok();
        Assert.Equal("rw", await d.Ok("run", "--rm", "--privileged", "busybox", "sh", "-c", "grep ' /sys ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1"));
    }
}
