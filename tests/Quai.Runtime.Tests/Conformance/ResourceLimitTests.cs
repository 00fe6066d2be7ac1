using Quai.Oci.Runtime;

namespace Quai.Runtime.Tests.Conformance;

/// <summary>cgroup limits really bite (config-linux.md#memory, #pids).</summary>
public sealed class ResourceLimitTests
{
    private const long MiB = 1024 * 1024;

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void A_memory_hog_is_OOM_killed(string runtime)
    {
        // dd with a 64 MiB block allocates and fills a 64 MiB buffer: twice the limit. Swap equal
        // to the limit means no swap on top (memory.memsw.limit_in_bytes).
        var r = ConformanceContainer.RunScript(runtime, "echo small; dd if=/dev/zero of=/dev/null bs=64M count=1", spec =>
            spec.Linux!.Resources!.Memory = new LinuxMemory { Limit = 32 * MiB, Swap = 32 * MiB });
        Assert.True(r.ExitCode == 137, r.ToString());
        Assert.Equal("small\n", r.Stdout);
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void A_pids_limit_stops_a_fork_loop(string runtime)
    {
        var r = ConformanceContainer.RunScript(runtime, "for i in $(seq 1 40); do sleep 1 & done; wait", spec =>
            spec.Linux!.Resources!.Pids = new LinuxPids { Limit = 20 });
        Assert.Contains("can't fork", r.Stderr, StringComparison.Ordinal);
    }
}
