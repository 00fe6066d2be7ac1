using System.Security.Cryptography;

namespace Quai.Runtime.Tests.Conformance;

/// <summary>
/// Container escapes through the runtime itself: host fds leaking into the container
/// (CVE-2024-21626) and the runtime binary overwritten through /proc/PID/exe (CVE-2019-5736).
/// </summary>
public sealed class EscapeTests
{
    // The runtime is started with fd 7 open without O_CLOEXEC on a host directory, the way a
    // careless caller (or an attacker controlling it) would leave one.
    private static readonly string[] LeakyCaller = ["/bin/sh", "-c", "exec 7</work 2>/dev/null || exec 7</; exec \"$@\"", "sh"];

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void No_host_fd_reaches_the_container_init_or_an_exec(string runtime)
    {
        using var c = new ConformanceContainer(runtime, "sleep", "100");
        c.CliWith(null, null, LeakyCaller, "create", "--bundle", c.Bundle, c.Id).EnsureSuccess();
        c.CliWith(null, null, LeakyCaller, "start", c.Id).EnsureSuccess();
        var pid = c.State().Pid;
        // Read from the host: exactly the init's own descriptors, stdio only (runtime.md#create).
        var fds = Directory.GetFileSystemEntries($"/proc/{pid}/fd").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["0", "1", "2"], fds);
        Assert.Equal("/", ReadLink($"/proc/{pid}/cwd"));

        // ls's own directory fd is 3: anything else is inherited.
        var exec = c.CliWith(null, null, LeakyCaller, "exec", c.Id, "sh", "-c", "ls /proc/self/fd; pwd");
        Assert.True(exec.ExitCode == 0, exec.ToString());
        Assert.Equal("0\n1\n2\n3\n/\n", exec.Stdout);
    }

    [Theory]
    [MemberData(nameof(Runtimes.ClosingInheritedFdsBeforeChdir), MemberType = typeof(Runtimes))]
    public void A_cwd_through_an_inherited_fd_does_not_reach_the_host(string runtime)
    {
        using var c = new ConformanceContainer(runtime, "sh", "-c", "pwd; ls");
        c.Spec.Process!.Cwd = "/proc/self/fd/7";
        c.WriteConfig();
        var marker = c.Scratch("host-only-marker");
        File.WriteAllText(marker, "");
        var wrapper = new[] { "/bin/sh", "-c", "exec 7<\"$0\"; exec \"$@\"", Path.GetDirectoryName(marker)! };
        var r = c.CliWith(null, null, wrapper, "run", "--bundle", c.Bundle, c.Id);
        // Refusing to start is fine; starting with the host directory as cwd is the escape.
        Assert.DoesNotContain("host-only-marker", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("bundle", r.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void The_runtime_binary_cannot_be_overwritten_from_the_container(string runtime)
    {
        using var c = new ConformanceContainer(runtime, "sleep", "100");
        var before = Hash(c.Runtime.BinaryPath);
        // Appending, not truncating: were the runtime vulnerable, the host binary would still run.
        const string Attack = "for p in /proc/[0-9]*; do [ \"$p\" = /proc/$$ ] && continue; if echo x 2>/dev/null >> $p/exe; then echo \"wrote $p/exe\"; fi; done; echo done";
        c.Create();
        // While created, the container's pid 1 is still the runtime's own init process.
        var created = c.Exec("sh", "-c", Attack);
        Assert.True(created.ExitCode == 0 && created.Stdout == "done\n", created.ToString());
        c.Start();
        var running = c.Exec("sh", "-c", Attack.Replace("/proc/[0-9]*", "/proc/1", StringComparison.Ordinal));
        Assert.DoesNotContain("wrote", running.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, Hash(c.Runtime.BinaryPath));
    }

    private static string Hash(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(f));
    }

    private static string? ReadLink(string path) => new FileInfo(path).LinkTarget;
}
