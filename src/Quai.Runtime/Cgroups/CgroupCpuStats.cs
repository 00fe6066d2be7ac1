namespace Quai.Runtime.Cgroups;

/// <summary>CPU usage and CFS throttling (v1 cpuacct.* and cpu.stat, v2 cpu.stat), in nanoseconds.</summary>
public sealed record CgroupCpuStats
{
    /// <summary>Total CPU time consumed.</summary>
    public ulong UsageNanos { get; init; }

    /// <summary>CPU time in user mode.</summary>
    public ulong UserNanos { get; init; }

    /// <summary>CPU time in kernel mode.</summary>
    public ulong SystemNanos { get; init; }

    /// <summary>Elapsed CFS enforcement periods.</summary>
    public ulong Periods { get; init; }

    /// <summary>Periods in which the cgroup was throttled.</summary>
    public ulong ThrottledPeriods { get; init; }

    /// <summary>Total time the cgroup was throttled.</summary>
    public ulong ThrottledNanos { get; init; }
}
