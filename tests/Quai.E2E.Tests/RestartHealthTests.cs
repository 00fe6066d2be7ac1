using Quai.E2E.Tests.Infra;

namespace Quai.E2E.Tests;

/// <summary>Restart policies and health checks.</summary>
public sealed class RestartHealthTests
{
    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task On_failure_restarts_twice_then_stays_exited(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var name = Daemon.Name("onfail");
        await d.Ok("run", "-d", "--name", name, "--restart", "on-failure:2", "busybox", "sh", "-c", "echo run; exit 3");
        try
        {
            await d.WaitFor(name, "{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}", "2 exited 3", seconds: 40);
            await Task.Delay(1500);
            Assert.Equal("2 exited", await d.Inspect(name, "{{.RestartCount}} {{.State.Status}}"));
            Assert.Equal(["run", "run", "run"], (await d.D("logs", name)).Ok().Lines);
        }
        finally
        {
            await d.D("rm", "-f", name);
        }
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Health_checks_report_healthy_and_unhealthy(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var good = Daemon.Name("healthy");
        var bad = Daemon.Name("unhealthy");
        await d.Ok("run", "-d", "--name", good, "--health-cmd", "test -d /tmp", "--health-interval", "1s", "busybox", "sleep", "1000");
        await d.Ok("run", "-d", "--name", bad, "--health-cmd", "exit 1", "--health-interval", "1s", "--health-retries", "2", "busybox", "sleep", "1000");
        try
        {
            await d.WaitFor(good, "{{.State.Health.Status}}", "healthy", seconds: 30);
            Assert.EndsWith("(healthy)", await d.Ok("ps", "--filter", "name=" + good, "--format", "{{.Status}}"), StringComparison.Ordinal);
            Assert.Equal("0", await d.Inspect(good, "{{(index .State.Health.Log 0).ExitCode}}"));
            await d.WaitFor(bad, "{{.State.Health.Status}}", "unhealthy", seconds: 30);
            Assert.Equal(good, await d.Ok("ps", "--filter", "name=" + good, "--filter", "health=healthy", "--format", "{{.Names}}"));
        }
        finally
        {
            await d.D("rm", "-f", good, bad);
        }
    }
}
