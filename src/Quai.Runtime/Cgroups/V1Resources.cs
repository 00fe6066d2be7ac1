using Microsoft.Extensions.Logging;
using Quai.Oci.Runtime;

namespace Quai.Runtime.Cgroups;

/// <summary>
/// OCI resources → cgroup v1 file writes, in the order the kernel accepts them (runc's
/// libcontainer/cgroups/fs). Pure apart from <c>read</c>/<c>exists</c> on the target cgroup.
/// Not here: hugetlb and unified keys on a hybrid host, which go to the cgroup2 side.
/// </summary>
internal static class V1Resources
{
    /// <summary>
    /// The writes for <paramref name="resources"/>. <paramref name="read"/> and
    /// <paramref name="exists"/> take (controller, file) of the container's cgroup.
    /// </summary>
    public static List<CgroupWrite> Convert(LinuxResources resources, Func<string, string, string?> read, Func<string, string, bool> exists, ILogger logger)
    {
        var writes = new List<CgroupWrite>();
        if (resources.Devices is { } devices)
        {
            Devices(devices, writes);
        }
        Memory(resources.Memory, writes, read, exists, logger);
        Cpu(resources.Cpu, writes);
        if (resources.Pids is { } pids)
        {
            writes.Add(new("pids", "pids.max", V2Resources.PidsMax(pids.Limit)));
        }
        Blkio(resources.BlockIo, writes, exists);
        foreach (var h in resources.HugepageLimits ?? [])
        {
            writes.Add(new("hugetlb", $"hugetlb.{V2Resources.CheckPageSize(h.PageSize)}.limit_in_bytes", V2Resources.Num(h.Limit)));
        }
        if (resources.Network is { } net)
        {
            if (net.ClassId is { } classId)
            {
                writes.Add(new("net_cls", "net_cls.classid", V2Resources.Num(classId)));
            }
            foreach (var p in net.Priorities ?? [])
            {
                writes.Add(new("net_prio", "net_prio.ifpriomap", $"{p.Name} {p.Priority}"));
            }
        }
        foreach (var (device, limit) in resources.Rdma ?? [])
        {
            writes.Add(new("rdma", "rdma.max", V2Resources.RdmaLine(device, limit)));
        }
        return writes;
    }

    /// <summary>
    /// Deny everything, then each rule in order (runc's v1 devices emulator reaches the same end
    /// state): the rule list is the whole policy, not a change to the inherited one.
    /// </summary>
    private static void Devices(List<LinuxDeviceCgroup> rules, List<CgroupWrite> writes)
    {
        if (DeviceRules.AllowsEverything(rules))
        {
            writes.Add(new("devices", "devices.allow", "a"));
            return;
        }
        writes.Add(new("devices", "devices.deny", "a"));
        foreach (var rule in rules)
        {
            writes.Add(new("devices", rule.Allow ? "devices.allow" : "devices.deny", DeviceRules.Format(rule)));
        }
    }

    private static void Memory(LinuxMemory? memory, List<CgroupWrite> writes, Func<string, string, string?> read, Func<string, string, bool> exists, ILogger logger)
    {
        if (memory is null)
        {
            return;
        }
        var limit = memory.Limit ?? 0;
        var swap = memory.Swap ?? 0;
        // Unlimited memory with swap unset means unlimited swap too (runc fs/memory.go).
        if (limit == -1 && swap == 0)
        {
            swap = -1;
        }
        Check(limit, "memory.limit");
        Check(swap, "memory.swap");
        var limitWrite = new CgroupWrite("memory", "memory.limit_in_bytes", V2Resources.Num(limit));
        var swapWrite = new CgroupWrite("memory", "memory.memsw.limit_in_bytes", V2Resources.Num(swap));
        if (swap != 0 && !exists("memory", "memory.memsw.limit_in_bytes"))
        {
            if (swap != -1)
            {
                throw new CgroupException($"memory swap limit {swap} asked but the kernel does not account swap (no memory.memsw.limit_in_bytes): boot with swapaccount=1 or drop linux.resources.memory.swap");
            }
            CgroupLog.SettingIgnored(logger, "memory.swap", "no memory.memsw.limit_in_bytes; unlimited is the only behaviour");
            swap = 0;
        }
        if (limit != 0 && swap != 0)
        {
            // The kernel keeps memsw >= limit at every step: raise memsw first when growing,
            // lower the limit first when shrinking.
            // An unreadable or "unlimited" current limit counts as huge, as in runc.
            var current = ulong.TryParse(read("memory", "memory.limit_in_bytes"), out var c) ? c : ulong.MaxValue;
            if (swap == -1 || current < (ulong)swap)
            {
                writes.Add(swapWrite);
                writes.Add(limitWrite);
            }
            else
            {
                writes.Add(limitWrite);
                writes.Add(swapWrite);
            }
        }
        else if (limit != 0)
        {
            writes.Add(limitWrite);
        }
        else if (swap != 0)
        {
            writes.Add(swapWrite);
        }
        if (memory.Reservation is { } reservation && reservation != 0)
        {
            Check(reservation, "memory.reservation");
            writes.Add(new("memory", "memory.soft_limit_in_bytes", V2Resources.Num(reservation)));
        }
        // kmem limits were deprecated in 5.4 and the kernel refuses them since 6.1 (EOPNOTSUPP).
        if (memory.Kernel is { } kernel && kernel != 0)
        {
            writes.Add(new("memory", "memory.kmem.limit_in_bytes", V2Resources.Num(kernel)) { Optional = true });
        }
        if (memory.KernelTcp is { } tcp && tcp != 0)
        {
            writes.Add(new("memory", "memory.kmem.tcp.limit_in_bytes", V2Resources.Num(tcp)) { Optional = true });
        }
        // -1 as uint64 is "unset" in runc's Go types.
        if (memory.Swappiness is { } swappiness && swappiness != ulong.MaxValue)
        {
            writes.Add(swappiness <= 100
                ? new("memory", "memory.swappiness", V2Resources.Num(swappiness))
                : throw new CgroupException($"invalid memory.swappiness {swappiness}: use 0 to 100"));
        }
        if (memory.DisableOomKiller == true)
        {
            writes.Add(new("memory", "memory.oom_control", "1"));
        }
    }

    private static void Check(long value, string what)
    {
        if (value < -1)
        {
            throw new CgroupException($"invalid {what} {value}: use a positive number of bytes, or -1 for unlimited");
        }
    }

    private static void Cpu(LinuxCpu? cpu, List<CgroupWrite> writes)
    {
        if (cpu is null)
        {
            return;
        }
        if (cpu.Shares is { } shares && shares != 0)
        {
            writes.Add(new("cpu", "cpu.shares", V2Resources.Num(shares)));
        }
        // Period first; the kernel rejects it (EINVAL) when the current quota does not fit the
        // new period, and then it is retried after the quota (runc fs/cpu.go).
        var period = cpu.Period ?? 0;
        var quota = cpu.Quota ?? 0;
        if (period != 0)
        {
            writes.Add(new("cpu", "cpu.cfs_period_us", V2Resources.Num(period)) { RetryAfterNext = quota != 0 });
        }
        if (quota != 0)
        {
            writes.Add(new("cpu", "cpu.cfs_quota_us", V2Resources.Num(quota < 0 ? -1 : quota)));
        }
        if (cpu.Burst is { } burst)
        {
            writes.Add(new("cpu", "cpu.cfs_burst_us", V2Resources.Num(burst)));
        }
        if (cpu.RealtimePeriod is { } rtPeriod && rtPeriod != 0)
        {
            writes.Add(new("cpu", "cpu.rt_period_us", V2Resources.Num(rtPeriod)));
        }
        if (cpu.RealtimeRuntime is { } rtRuntime && rtRuntime != 0)
        {
            writes.Add(new("cpu", "cpu.rt_runtime_us", V2Resources.Num(rtRuntime)));
        }
        if (cpu.Idle is { } idle)
        {
            writes.Add(new("cpu", "cpu.idle", V2Resources.Num(idle)));
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

    private static void Blkio(LinuxBlockIo? io, List<CgroupWrite> writes, Func<string, string, bool> exists)
    {
        if (io is null)
        {
            return;
        }
        // CFQ's blkio.weight is gone since 5.0; BFQ exposes blkio.bfq.weight with the same range.
        var prefix = exists("blkio", "blkio.weight") || !exists("blkio", "blkio.bfq.weight") ? "blkio." : "blkio.bfq.";
        if (io.Weight is { } weight && weight != 0)
        {
            writes.Add(new("blkio", prefix + "weight", V2Resources.Num(weight)));
        }
        if (io.LeafWeight is { } leaf && leaf != 0)
        {
            // Leaf weights were CFQ's, removed in Linux 5.0: a warning where the file is gone.
            writes.Add(new("blkio", "blkio.leaf_weight", V2Resources.Num(leaf)) { Optional = true });
        }
        foreach (var d in io.WeightDevice ?? [])
        {
            if (d.Weight is { } w && w != 0)
            {
                writes.Add(new("blkio", prefix + "weight_device", $"{d.Major}:{d.Minor} {w}"));
            }
            if (d.LeafWeight is { } lw && lw != 0)
            {
                writes.Add(new("blkio", "blkio.leaf_weight_device", $"{d.Major}:{d.Minor} {lw}") { Optional = true });
            }
        }
        Throttle(io.ThrottleReadBpsDevice, "blkio.throttle.read_bps_device", writes);
        Throttle(io.ThrottleWriteBpsDevice, "blkio.throttle.write_bps_device", writes);
        Throttle(io.ThrottleReadIopsDevice, "blkio.throttle.read_iops_device", writes);
        Throttle(io.ThrottleWriteIopsDevice, "blkio.throttle.write_iops_device", writes);
    }

    private static void Throttle(List<LinuxThrottleDevice>? devices, string file, List<CgroupWrite> writes)
    {
        foreach (var d in devices ?? [])
        {
            // v1 takes 0 as "remove the limit" (cgroup-v1/blkio-controller.rst).
            writes.Add(new("blkio", file, $"{d.Major}:{d.Minor} {d.Rate}"));
        }
    }
}
