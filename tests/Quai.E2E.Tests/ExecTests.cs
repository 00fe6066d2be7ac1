using Quai.E2E.Tests.Infra;

namespace Quai.E2E.Tests;

/// <summary>docker exec: plain, -i, -it, -u, -w, -e and exit codes.</summary>
public sealed class ExecTests
{
    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Exec_runs_in_the_container_with_its_options(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var name = Daemon.Name("exec");
        await d.Ok("run", "-d", "--name", name, "busybox", "sleep", "1000");
        try
        {
            Assert.Equal("hi", await d.Ok("exec", name, "echo", "hi"));
            Assert.Equal("abc", (await d.DockerAsync(["exec", "-i", name, "cat"], stdin: "abc")).Ok().Stdout);
            Assert.Equal("33", await d.Ok("exec", "-u", "www", name, "id", "-u"));
            Assert.Equal("/tmp", await d.Ok("exec", "-w", "/tmp", name, "pwd"));
            Assert.Equal("B", await d.Ok("exec", "-e", "A=B", name, "sh", "-c", "echo $A"));
            (await d.D("exec", name, "sh", "-c", "echo out; echo err >&2; exit 5")).Exit(5);
            var missing = await d.D("exec", name, "no-such-command");
            Assert.True(missing.ExitCode is 126 or 127, missing.ToString());
            Assert.Contains("no-such-command", missing.Stdout + missing.Stderr, StringComparison.Ordinal);
            var tty = await d.ShAsync($"script -qec \"docker exec -it {name} sh -c 'tty; exit 6'\" /dev/null");
            Assert.True(tty.ExitCode == 6, tty.ToString());
            Assert.Contains("/dev/pts/", tty.Stdout, StringComparison.Ordinal);
            var ps = await d.Ok("exec", name, "ps", "-o", "pid,args");
            Assert.Contains("1 sleep 1000", ps, StringComparison.Ordinal);
        }
        finally
        {
            await d.D("rm", "-f", name);
        }
        var stopped = Daemon.Name("exec-stopped");
        (await d.D("create", "--name", stopped, "busybox", "true")).Ok();
        var notRunning = await d.D("exec", stopped, "true");
        Assert.NotEqual(0, notRunning.ExitCode);
        Assert.Contains("is not running", notRunning.Stderr, StringComparison.Ordinal);
        (await d.D("rm", stopped)).Ok();
    }
}
