using System.Globalization;
using Microsoft.Extensions.Logging;
using Quai.Oci.Runtime;

namespace Quai.Runtime.Cgroups;

/// <summary>
/// OCI resources → cgroup v2 file writes, with the conversions runc uses (libcontainer/cgroups/fs2
/// and cgroups/utils.go). Pure: reads nothing but <c>exists</c>, so every rule is unit-tested.
/// Device rules are not here: on v2 they are an eBPF program, not a file.
/// </summary>
internal static class V2Resources
{
    /// <summary>The writes for <paramref name="resources"/>, in order; <paramref name="exists"/> tells whether a file exists in the cgroup.</summary>
    public static List<CgroupWrite> Convert(LinuxResources resources, Func<string, bool> exists, ILogger logger)
    {
        var writes = new List<CgroupWrite>();
        Memory(resources.Memory, writes, exists, logger);
        Cpu(resources.Cpu, writes);
        if (resources.Pids is { } pids)
        {
            writes.Add(new("pids", "pids.max", PidsMax(pids.Limit)));
        }
        Io(resources.BlockIo, writes, exists, logger);
        foreach (var h in resources.HugepageLimits ?? [])
        {
            writes.Add(new("hugetlb", $"hugetlb.{CheckPageSize(h.PageSize)}.max", Num(h.Limit)));
        }
        foreach (var (device, limit) in resources.Rdma ?? [])
        {
            writes.Add(new("rdma", "rdma.max", RdmaLine(device, limit)));
        }
        if (resources.Network is { } net && (net.ClassId is not null || net.Priorities is { Count: > 0 }))
        {
            throw new CgroupException("linux.resources.network (classID, priorities) needs the v1 net_cls/net_prio controllers, which cgroup v2 does not have: remove it, or filter traffic with an eBPF or nftables rule on the cgroup");
        }
        // unified last, so that it overrides what the structured fields set (runc does the same).
        foreach (var (key, value) in resources.Unified ?? [])
        {
            writes.Add(new(ControllerOfKey(key), key, value));
        }
        return writes;
    }

    /// <summary>runc's cpu.shares → cpu.weight: [2, 262144] maps linearly onto [1, 10000]; 0 means unset.</summary>
    public static ulong CpuSharesToWeight(ulong shares)
    {
        if (shares == 0)
        {
            return 0;
        }
        var s = Math.Clamp(shares, 2UL, 262144UL);
        return 1 + ((s - 2) * 9999 / 262142);
    }

    /// <summary>cpu.max: "quota period", "max period" for no quota, period omitted when unset (the kernel keeps its own).</summary>
    public static string? CpuMax(long? quota, ulong? period)
    {
        var q = quota ?? 0;
        var p = period ?? 0;
        if (q == 0 && p == 0)
        {
            return null;
        }
        var value = q > 0 ? q.ToString(CultureInfo.InvariantCulture) : "max";
        return p != 0 ? value + " " + Num(p) : value;
    }

    /// <summary>
    /// OCI swap is memory+swap (v1 memsw); v2 memory.swap.max is swap alone: swap − limit.
    /// Returns null for unset, -1 for "max". Follows runc's ConvertMemorySwapToCgroupV2Value.
    /// </summary>
    public static long? SwapMax(long? swap, long? limit)
    {
        var s = swap ?? 0;
        var m = limit ?? 0;
        // Unlimited memory with swap unset means both unlimited, as v1 behaves.
        if (m == -1 && s == 0)
        {
            return -1;
        }
        if (s == -1)
        {
            return -1;
        }
        if (s == 0)
        {
            return null;
        }
        if (m == 0 || m == -1)
        {
            throw new CgroupException($"memory swap limit {s} needs a memory limit: set linux.resources.memory.limit too (swap is memory+swap, as in cgroup v1)");
        }
        if (s < m)
        {
            throw new CgroupException($"memory+swap limit {s} is lower than the memory limit {m}: swap must be >= limit (it counts memory plus swap)");
        }
        return s - m;
    }

    /// <summary>pids.max: the number, or "max" for no limit (≤ 0).</summary>
    public static string PidsMax(long limit) => limit > 0 ? limit.ToString(CultureInfo.InvariantCulture) : "max";

    /// <summary>runc's blkio weight [10, 1000] → io.weight [1, 10000].</summary>
    public static ulong BlkioWeightToIoWeight(ushort weight)
    {
        var w = Math.Clamp((ulong)weight, 10UL, 1000UL);
        return 1 + ((w - 10) * 9999 / 990);
    }

    /// <summary>One io.max line: "8:0 rbps=1048576"; rate 0 means no limit ("max"), as in v1.</summary>
    public static string IoMaxLine(LinuxThrottleDevice device, string key) =>
        $"{device.Major}:{device.Minor} {key}={(device.Rate == 0 ? "max" : Num(device.Rate))}";

    /// <summary>Validates a hugepage size as the kernel names it in hugetlb.&lt;size&gt;.* (e.g. 2MB, 1GB).</summary>
    public static string CheckPageSize(string pageSize)
    {
        var ok = pageSize.Length >= 3 && pageSize.EndsWith('B') && pageSize[^2] is 'K' or 'M' or 'G'
            && pageSize[..^2].All(char.IsAsciiDigit) && pageSize[..^2].Length > 0;
        return ok ? pageSize : throw new CgroupException($"invalid hugepage size \"{pageSize}\": use the kernel's names such as \"2MB\" or \"1GB\" (ls /sys/kernel/mm/hugepages)");
    }

    /// <summary>An rdma.max line: "mlx4_0 hca_handle=2 hca_object=2000" (unset fields stay "max").</summary>
    public static string RdmaLine(string device, LinuxRdma limit) =>
        $"{device} hca_handle={(limit.HcaHandles is { } h ? Num(h) : "max")} hca_object={(limit.HcaObjects is { } o ? Num(o) : "max")}";

    /// <summary>The controller a unified key belongs to ("memory.high" → memory, "cgroup.*" → core); rejects names that are not plain file names.</summary>
    public static string ControllerOfKey(string key)
    {
        if (key.Length == 0 || key.Contains('/', StringComparison.Ordinal) || key.StartsWith('.') || !key.Contains('.', StringComparison.Ordinal))
        {
            throw new CgroupException($"invalid linux.resources.unified key \"{key}\": it must be a cgroup v2 file name such as \"memory.high\"");
        }
        var controller = key[..key.IndexOf('.', StringComparison.Ordinal)];
        return controller == "cgroup" ? "" : controller;
    }

    internal static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    internal static string Num(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Memory(LinuxMemory? memory, List<CgroupWrite> writes, Func<string, bool> exists, ILogger logger)
    {
        if (memory is null)
        {
            return;
        }
        var swap = SwapMax(memory.Swap, memory.Limit);
        if (swap is { } s)
        {
            if (!exists("memory.swap.max") && s == -1)
            {
                CgroupLog.SettingIgnored(logger, "memory.swap", "no memory.swap.max (the kernel does not account swap); unlimited is the only behaviour");
            }
            else
            {
                writes.Add(new("memory", "memory.swap.max", MaxOrNum(s, "memory.swap")));
            }
        }
        if (memory.Limit is { } limit && limit != 0)
        {
            writes.Add(new("memory", "memory.max", MaxOrNum(limit, "memory.limit")));
        }
        if (memory.Reservation is { } low && low != 0)
        {
            writes.Add(new("memory", "memory.low", MaxOrNum(low, "memory.reservation")));
        }
        if (memory.Swappiness is { } swappiness && swappiness != ulong.MaxValue)
        {
            CgroupLog.SettingIgnored(logger, "memory.swappiness", "cgroup v2 has no per-cgroup swappiness");
        }
        if (memory.DisableOomKiller == true)
        {
            CgroupLog.SettingIgnored(logger, "memory.disableOOMKiller", "cgroup v2 cannot disable the OOM killer (see memory.oom.group and memory.high)");
        }
        if (memory.Kernel is not null || memory.KernelTcp is not null)
        {
            CgroupLog.SettingIgnored(logger, "memory.kernel/kernelTCP", "cgroup v2 accounts kernel memory within memory.max");
        }
    }

    private static void Cpu(LinuxCpu? cpu, List<CgroupWrite> writes)
    {
        if (cpu is null)
        {
            return;
        }
        if ((cpu.RealtimeRuntime ?? 0) != 0 || (cpu.RealtimePeriod ?? 0) != 0)
        {
            throw new CgroupException("linux.resources.cpu realtimeRuntime/realtimePeriod need the v1 cpu controller: cgroup v2 has no realtime budget; remove them");
        }
        if (cpu.Shares is { } shares && shares != 0)
        {
            writes.Add(new("cpu", "cpu.weight", Num(CpuSharesToWeight(shares))));
        }
        if (CpuMax(cpu.Quota, cpu.Period) is { } max)
        {
            writes.Add(new("cpu", "cpu.max", max));
        }
        if (cpu.Burst is { } burst)
        {
            writes.Add(new("cpu", "cpu.max.burst", Num(burst)));
        }
        if (cpu.Idle is { } idle)
        {
            writes.Add(new("cpu", "cpu.idle", Num(idle)));
        }
        if (!string.IsNullOrEmpty(cpu.Cpus))
        {
            writes.Add(new("cpuset", "cpuset.cpus", cpu.Cpus));
        }
        if (!string.IsNullOrEmpty(cpu.Mems))
        {
            writes.Add(new("cpuset", "cpuset.mems", cpu.Mems));
        }
    }

    private static void Io(LinuxBlockIo? io, List<CgroupWrite> writes, Func<string, bool> exists, ILogger logger)
    {
        if (io is null)
        {
            return;
        }
        // BFQ takes the v1 weight range as is; the io.weight of the io controller needs conversion.
        var bfq = exists("io.bfq.weight");
        if (io.Weight is { } weight && weight != 0)
        {
            writes.Add(bfq
                ? new("io", "io.bfq.weight", Num(weight))
                : new("io", "io.weight", "default " + Num(BlkioWeightToIoWeight(weight))));
        }
        if (io.LeafWeight is not null)
        {
            CgroupLog.SettingIgnored(logger, "blockIO.leafWeight", "cgroup v2 has no leaf weight");
        }
        foreach (var d in io.WeightDevice ?? [])
        {
            if (d.Weight is { } w && w != 0)
            {
                writes.Add(bfq
                    ? new("io", "io.bfq.weight", $"{d.Major}:{d.Minor} {w}")
                    : new("io", "io.weight", $"{d.Major}:{d.Minor} {BlkioWeightToIoWeight(w)}"));
            }
        }
        foreach (var d in io.ThrottleReadBpsDevice ?? [])
        {
            writes.Add(new("io", "io.max", IoMaxLine(d, "rbps")));
        }
        foreach (var d in io.ThrottleWriteBpsDevice ?? [])
        {
            writes.Add(new("io", "io.max", IoMaxLine(d, "wbps")));
        }
        foreach (var d in io.ThrottleReadIopsDevice ?? [])
        {
            writes.Add(new("io", "io.max", IoMaxLine(d, "riops")));
        }
        foreach (var d in io.ThrottleWriteIopsDevice ?? [])
        {
            writes.Add(new("io", "io.max", IoMaxLine(d, "wiops")));
        }
    }

    private static string MaxOrNum(long value, string what) => value switch
    {
        -1 => "max",
        < 0 => throw new CgroupException($"invalid {what} {value}: use a positive number of bytes, or -1 for unlimited"),
        _ => Num(value),
    };
}
