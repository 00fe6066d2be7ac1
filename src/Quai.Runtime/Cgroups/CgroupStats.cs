namespace Quai.Runtime.Cgroups;

/// <summary>
/// Statistics of one cgroup, normalised across v1 and v2 (the fields <c>runc events --stats</c>
/// reports). A section is null when its controller is not available.
/// </summary>
public sealed record CgroupStats
{
    /// <summary>Memory controller statistics.</summary>
    public CgroupMemoryStats? Memory { get; init; }

    /// <summary>CPU usage and throttling.</summary>
    public CgroupCpuStats? Cpu { get; init; }

    /// <summary>Number of tasks and their limit.</summary>
    public CgroupPidsStats? Pids { get; init; }

    /// <summary>Bytes read and written per block device (v1 blkio.throttle.io_service_bytes, v2 io.stat rbytes/wbytes).</summary>
    public IReadOnlyList<CgroupBlkioEntry> BlkioBytes { get; init; } = [];
}
