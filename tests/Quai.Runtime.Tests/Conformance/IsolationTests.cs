using System.Text.RegularExpressions;
using Quai.Testing;

namespace Quai.Runtime.Tests.Conformance;

/// <summary>The container cannot see host processes, mounts, hostname or network (config-linux.md#namespaces).</summary>
public sealed partial class IsolationTests
{
    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Only_the_container_processes_are_visible(string runtime)
    {
        var r = ConformanceContainer.RunScript(runtime, "ls /proc | grep -E '^[0-9]+$'");
        Assert.True(r.ExitCode == 0, r.ToString());
        var pids = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
        // sh (pid 1), ls and grep: a handful of small pids, never the host's hundreds.
        Assert.Contains(1, pids);
        Assert.True(pids.Count <= 4 && pids.All(p => p < 20), $"container sees pids {string.Join(',', pids)}");
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Host_mounts_are_not_visible(string runtime)
    {
        var r = ConformanceContainer.RunScript(runtime, "cat /proc/self/mountinfo");
        Assert.True(r.ExitCode == 0, r.ToString());
        var inside = MountPoints(r.Stdout);
        Assert.Contains("/", inside);
        // Host mount points outside the pseudo file systems the container mounts for itself.
        var hostOnly = MountPoints(File.ReadAllText("/proc/self/mountinfo"))
            .Where(m => m != "/" && !m.StartsWith("/proc", StringComparison.Ordinal) && !m.StartsWith("/sys", StringComparison.Ordinal) && !m.StartsWith("/dev", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(hostOnly);
        Assert.Empty(inside.Intersect(hostOnly));
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Hostname_is_the_configured_one(string runtime)
    {
        var r = ConformanceContainer.RunScript(runtime, "hostname");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(OciBundle.Hostname + "\n", r.Stdout);
        Assert.NotEqual(OciBundle.Hostname, Environment.MachineName);
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Only_loopback_is_in_the_network_namespace(string runtime)
    {
        var r = ConformanceContainer.RunScript(runtime, "ip link");
        Assert.True(r.ExitCode == 0, r.ToString());
        var links = LinkName().Matches(r.Stdout).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["lo"], links);
    }

    // mountinfo(5): field 5 is the mount point, octal escapes for spaces.
    private static HashSet<string> MountPoints(string mountinfo) =>
        mountinfo.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[4]).ToHashSet();

    [GeneratedRegex(@"^\d+: ([^:@\s]+)[:@]", RegexOptions.Multiline)]
    private static partial Regex LinkName();
}
