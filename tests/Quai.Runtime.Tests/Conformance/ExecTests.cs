namespace Quai.Runtime.Tests.Conformance;

/// <summary>`exec` into a running container (runc exec; runtime.md says nothing, runc is the reference).</summary>
public sealed class ExecTests
{
    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Exec_returns_output_and_exit_code(string runtime)
    {
        using var c = new ConformanceContainer(runtime, "sleep", "100");
        c.Create();
        c.Start();
        var hi = c.Exec("echo", "hello");
        Assert.True(hi.ExitCode == 0 && hi.Stdout == "hello\n", hi.ToString());
        var five = c.Exec("sh", "-c", "echo err >&2; exit 5");
        Assert.True(five.ExitCode == 5 && five.Stderr.Contains("err", StringComparison.Ordinal), five.ToString());
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Exec_sets_env_cwd_and_user(string runtime)
    {
        using var c = new ConformanceContainer(runtime, "sleep", "100");
        c.Create();
        c.Start();
        // An absolute path: crun 1.8.1's --env replaces the whole environment, PATH included.
        var env = c.ExecWith(["--env", "QUAI_PROBE=42"], "/bin/sh", "-c", "echo $QUAI_PROBE");
        Assert.True(env.ExitCode == 0 && env.Stdout == "42\n", env.ToString());
        var cwd = c.ExecWith(["--cwd", "/tmp"], "pwd");
        Assert.True(cwd.ExitCode == 0 && cwd.Stdout == "/tmp\n", cwd.ToString());
        var user = c.ExecWith(["--user", "65534:65534"], "sh", "-c", "id -u; id -g");
        Assert.True(user.ExitCode == 0 && user.Stdout == "65534\n65534\n", user.ToString());
        // exec joins the container's pid namespace: it sees the init as pid 1.
        var ps = c.Exec("cat", "/proc/1/cmdline");
        Assert.True(ps.ExitCode == 0 && ps.Stdout.StartsWith("sleep", StringComparison.Ordinal), ps.ToString());
    }
}
