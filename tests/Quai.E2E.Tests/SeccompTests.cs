using Quai.E2E.Tests.Infra;

namespace Quai.E2E.Tests;

/// <summary>docker's default seccomp profile and --security-opt, against quaid and dockerd alike.</summary>
public sealed class SeccompTests
{
    private const string SeccompMode = "grep '^Seccomp:' /proc/self/status | cut -f2";

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Default_profile_filters_and_unconfined_does_not(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        // 2 = SECCOMP_MODE_FILTER (proc(5)).
        Assert.Equal("2", await d.Ok("run", "--rm", "busybox", "sh", "-c", SeccompMode));
        Assert.Equal("0", await d.Ok("run", "--rm", "--security-opt", "seccomp=unconfined", "busybox", "sh", "-c", SeccompMode));
        // The profile keeps new namespaces from a container without CAP_SYS_ADMIN: EPERM from
        // unshare(2) even where the kernel lets anyone make a user namespace.
        var userns = await d.D("run", "--rm", "busybox", "unshare", "-U", "true");
        Assert.NotEqual(0, userns.ExitCode);
        Assert.Contains("Operation not permitted", userns.Stderr, StringComparison.Ordinal);
        // Ordinary work is untouched: threads (clone without namespace flags), sockets, time.
        Assert.Equal("ok", await d.Ok("run", "--rm", "busybox", "sh", "-c", "sleep 0.1 & wait; nc -l -p 1234 -e true & sleep 0.1; date >/dev/null; echo ok"));
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Exec_runs_under_the_containers_profile(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var name = Daemon.Name("seccomp-exec");
        try
        {
            (await d.D("run", "-d", "--name", name, "busybox", "sleep", "60")).Ok();
            Assert.Equal("2", await d.Ok("exec", name, "sh", "-c", SeccompMode));
        }
        finally
        {
            await d.D("rm", "-f", name);
        }
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task A_custom_profile_file_is_applied(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        // Everything allowed but mkdir/mkdirat, which fail with EACCES (13).
        var file = Path.Combine(Path.GetTempPath(), $"seccomp-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """
            {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}
            """);
        try
        {
            var r = await d.D("run", "--rm", "--security-opt", "seccomp=" + file, "busybox", "mkdir", "/tmp/x");
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("Permission denied", r.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task An_unknown_security_opt_is_refused(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var r = await d.D("run", "--rm", "--security-opt", "bogus=1", "busybox", "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("security-opt", r.Stderr, StringComparison.OrdinalIgnoreCase);
    }
}
