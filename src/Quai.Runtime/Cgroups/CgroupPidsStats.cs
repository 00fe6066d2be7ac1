namespace Quai.Runtime.Cgroups;

/// <summary>pids controller statistics (pids.current, pids.max).</summary>
public sealed record CgroupPidsStats
{
    /// <summary>Number of tasks in the cgroup and its descendants.</summary>
    public ulong Current { get; init; }

    /// <summary>The limit; null when "max".</summary>
    public ulong? Limit { get; init; }
}
