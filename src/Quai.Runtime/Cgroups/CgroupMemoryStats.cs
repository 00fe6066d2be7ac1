namespace Quai.Runtime.Cgroups;

/// <summary>Memory statistics (v1 memory.*, v2 memory.current/peak/max/events/stat).</summary>
public sealed record CgroupMemoryStats
{
    /// <summary>Current usage in bytes (v1 memory.usage_in_bytes, v2 memory.current).</summary>
    public ulong Usage { get; init; }

    /// <summary>Highest usage seen (v1 memory.max_usage_in_bytes, v2 memory.peak; 0 when the kernel lacks it).</summary>
    public ulong MaxUsage { get; init; }

    /// <summary>The limit in bytes; null when unlimited.</summary>
    public ulong? Limit { get; init; }

    /// <summary>How often the limit was hit (v1 memory.failcnt, v2 "max" in memory.events).</summary>
    public ulong Failcnt { get; init; }

    /// <summary>Processes the OOM killer killed in this cgroup ("oom_kill" in v1 memory.oom_control, v2 memory.events).</summary>
    public ulong OomKills { get; init; }

    /// <summary>Swap usage in bytes when the kernel accounts it (v1 memsw minus usage, v2 memory.swap.current).</summary>
    public ulong? SwapUsage { get; init; }

    /// <summary>Every counter of memory.stat.</summary>
    public IReadOnlyDictionary<string, ulong> Stat { get; init; } = new Dictionary<string, ulong>();
}
