using Quai.E2E.Tests.Infra;

namespace Quai.E2E.Tests;

/// <summary>pause/unpause, kill -s, restart, wait, top, stats, rm -f.</summary>
public sealed class LifecycleTests
{
    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Pause_unpause_top_stats_restart(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var name = Daemon.Name("life");
        await d.Ok("run", "-d", "--name", name, "busybox", "sleep", "1000");
        try
        {
            (await d.D("pause", name)).Ok();
            Assert.Equal("paused true", await d.Inspect(name, "{{.State.Status}} {{.State.Paused}}"));
            Assert.EndsWith("(Paused)", await d.Ok("ps", "--filter", "name=" + name, "--format", "{{.Status}}"), StringComparison.Ordinal);
            (await d.D("unpause", name)).Ok();
            Assert.Equal("running false", await d.Inspect(name, "{{.State.Status}} {{.State.Paused}}"));

            var top = (await d.D("top", name)).Ok().Lines;
            Assert.Matches(@"^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$", top[0]);
            Assert.Contains(top, l => l.EndsWith("sleep 1000", StringComparison.Ordinal));

            var stats = (await d.D("stats", "--no-stream", name)).Ok().Lines;
            Assert.Matches(@"^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE / LIMIT\s+MEM %\s+NET I/O\s+BLOCK I/O\s+PIDS$", stats[0]);
            Assert.Contains(name, stats[1], StringComparison.Ordinal);
            Assert.Matches(@"\s1$", stats[1]);
            var mem = await d.Ok("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}", name);
            Assert.Matches(@"^" + name + @" \d+(\.\d+)?[KMG]?i?B / \d+(\.\d+)?[KMGT]iB$", mem);

            var started = await d.Inspect(name, "{{.State.StartedAt}}");
            var pid = await d.Inspect(name, "{{.State.Pid}}");
            (await d.D("restart", "-t", "1", name)).Ok();
            Assert.Equal("running", await d.Inspect(name, "{{.State.Status}}"));
            Assert.NotEqual(started, await d.Inspect(name, "{{.State.StartedAt}}"));
            Assert.NotEqual(pid, await d.Inspect(name, "{{.State.Pid}}"));

            // rm without -f refuses a running container; -f kills and removes it.
            var refused = await d.D("rm", name);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("cannot remove", refused.Stderr, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(name, await d.Ok("rm", "-f", name));
            Assert.Equal("", await d.Ok("ps", "-a", "--filter", "name=" + name, "-q"));
        }
        finally
        {
            await d.D("rm", "-f", name);
        }
    }

    // quaid only: dockerd 20.10 does keep the container, but races with itself doing it (it turns
    // AutoRemove off around the restart's stop while the exit is handled on another goroutine).
    // On this 2-core VM under load, 4 restarts in 30 were followed by "cannot exec in a stopped
    // state" or "No such container" from dockerd, which made this test flaky there.
    [Fact]
    public async Task Restart_keeps_an_rm_container_which_stop_then_removes()
    {
        var d = await Daemons.GetAsync("quaid");
        var name = Daemon.Name("rmrestart");
        await d.Ok("run", "-d", "--rm", "--name", name, "busybox", "sleep", "1000");
        try
        {
            var pid = await d.Inspect(name, "{{.State.Pid}}");
            (await d.D("restart", "-t", "0", name)).Ok();
            Assert.Equal("running true", await d.Inspect(name, "{{.State.Status}} {{.HostConfig.AutoRemove}}"));
            Assert.NotEqual(pid, await d.Inspect(name, "{{.State.Pid}}"));
            Assert.Equal("again", await d.Ok("exec", name, "echo", "again"));
            (await d.D("stop", "-t", "0", name)).Ok();
            // --rm still applies to an exit that is not a restart's.
            for (var i = 0; i < 100 && await d.Ok("ps", "-a", "--filter", "name=" + name, "-q") != ""; i++)
            {
                await Task.Delay(50);
            }
            Assert.Equal("", await d.Ok("ps", "-a", "--filter", "name=" + name, "-q"));
        }
        finally
        {
            await d.D("rm", "-f", name);
        }
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Kill_with_a_signal_and_wait_for_the_exit_code(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var name = Daemon.Name("kill");
        await d.Ok("run", "-d", "--name", name, "busybox", "sh", "-c", "trap 'exit 42' USR1; echo ready; while :; do sleep 0.1; done");
        try
        {
            await Poll.UntilAsync(async () => (await d.D("logs", name)).Stdout == "ready\n" ? null : "not ready");
            (await d.D("kill", "-s", "USR1", name)).Ok();
            Assert.Equal("42", await d.Ok("wait", name));
            Assert.Equal("exited 42", await d.Inspect(name, "{{.State.Status}} {{.State.ExitCode}}"));

            var waited = Daemon.Name("wait");
            await d.Ok("run", "-d", "--name", waited, "busybox", "sh", "-c", "sleep 1; exit 9");
            Assert.Equal("9", await d.Ok("wait", waited));
            (await d.D("rm", waited)).Ok();

            var killed = Daemon.Name("kill9");
            await d.Ok("run", "-d", "--name", killed, "busybox", "sleep", "1000");
            (await d.D("kill", killed)).Ok();
            Assert.Equal("137", await d.Ok("wait", killed));
            (await d.D("rm", killed)).Ok();
        }
        finally
        {
            await d.D("rm", "-f", name);
        }
    }
}
