using Quai.E2E.Tests.Infra;

namespace Quai.E2E.Tests;

/// <summary>Daemon restarts, each on a private daemon (the shared ones must keep running).</summary>
public sealed class DaemonRestartTests
{
    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Restart_always_survives_a_daemon_restart(string kind)
    {
        await using var d = await Daemons.StartPrivateAsync(kind);
        var name = Daemon.Name("always");
        await d.Ok("run", "-d", "--name", name, "--restart", "always", "busybox", "sleep", "1000");
        var stopped = Daemon.Name("stays-stopped");
        (await d.D("run", "--name", stopped, "busybox", "true")).Ok();
        await d.StopAsync();
        await d.StartAsync();
        await d.WaitFor(name, "{{.State.Status}}", "running", seconds: 30);
        Assert.Equal("true", await d.Ok("exec", name, "echo", "true"));
        Assert.Equal("exited 0", await d.Inspect(stopped, "{{.State.Status}} {{.State.ExitCode}}"));
    }

    [Fact]
    public async Task Quaid_killed_with_sigkill_finds_its_running_container_logs_and_exit_code_again()
    {
        await using var d = await Daemons.StartPrivateAsync("quaid");
        var name = Daemon.Name("survivor");
        await d.Ok("run", "-d", "--name", name, "busybox", "sh", "-c", "echo started; while [ ! -f /tmp/go ]; do sleep 0.1; done; echo finished; exit 7");
        await Poll.UntilAsync(async () => (await d.D("logs", name)).Stdout == "started\n" ? null : "not started");
        var pid = await d.Inspect(name, "{{.State.Pid}}");
        await d.StopAsync(kill: true);
        Assert.True(Directory.Exists("/proc/" + pid), $"the container's process {pid} died with quaid");
        await d.StartAsync();
        Assert.Equal("running " + pid, await d.Inspect(name, "{{.State.Status}} {{.State.Pid}}"));
        Assert.Equal("started\n", (await d.D("logs", name)).Ok().Stdout);
        (await d.D("exec", name, "touch", "/tmp/go")).Ok();
        Assert.Equal("7", await d.Ok("wait", name));
        Assert.Equal("started\nfinished\n", (await d.D("logs", name)).Ok().Stdout);

        // Exited while quaid is down: the exit code still arrives after the restart.
        var late = Daemon.Name("late");
        await d.Ok("run", "-d", "--name", late, "busybox", "sh", "-c", "echo late; while [ ! -f /tmp/go ]; do sleep 0.1; done; exit 5");
        await Poll.UntilAsync(async () => (await d.D("logs", late)).Stdout == "late\n" ? null : "not started");
        var latePid = await d.Inspect(late, "{{.State.Pid}}");
        await d.StopAsync(kill: true);
        // The container's own root, reached through procfs while no daemon runs.
        await File.WriteAllTextAsync($"/proc/{latePid}/root/tmp/go", "");
        await Poll.UntilAsync(() => Task.FromResult(Directory.Exists("/proc/" + latePid) ? "still running" : null));
        await d.StartAsync();
        await d.WaitFor(late, "{{.State.Status}} {{.State.ExitCode}}", "exited 5");
        Assert.Equal("late\n", (await d.D("logs", late)).Ok().Stdout);
        Assert.Equal("exited 7", await d.Inspect(name, "{{.State.Status}} {{.State.ExitCode}}"));
    }
}
