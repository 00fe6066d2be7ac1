using System.Globalization;
using Quai.Api.Models;

namespace Quai.Engine.Containers;

/// <summary>
/// `docker stats` numbers read from the container's cgroup (v1: memory, cpuacct, pids
/// controllers; v2: memory.current, cpu.stat, pids.current) and its network namespace's
/// /proc/PID/net/dev, in the shape of moby's types.StatsJSON.
/// </summary>
internal static class ContainerStats
{
    private const string CgroupRoot = "/sys/fs/cgroup";

    public static ContainerStatsResponse Read(ContainerRecord c, string cgroupPath, ContainerStatsResponse? previous)
    {
        var v2 = File.Exists(Path.Combine(CgroupRoot, "cgroup.controllers"));
        var rel = cgroupPath.TrimStart('/');
        var stats = new ContainerStatsResponse
        {
            Name = "/" + c.Name,
            Id = c.Id,
            Read = ContainerService.Rfc3339(DateTimeOffset.UtcNow),
            Preread = previous?.Read ?? "0001-01-01T00:00:00Z",
            PrecpuStats = previous?.CpuStats ?? new ContainerCPUStats { CpuUsage = new ContainerCPUUsage { TotalUsage = 0, UsageInKernelmode = 0, UsageInUsermode = 0 }, ThrottlingData = new ContainerThrottlingData { Periods = 0, ThrottledPeriods = 0, ThrottledTime = 0 } },
            NumProcs = 0,
            BlkioStats = new ContainerBlkioStats(),
            StorageStats = new ContainerStorageStats(),
        };
        var online = Environment.ProcessorCount;
        var system = SystemCpuNanoseconds();
        if (v2)
        {
            var dir = Path.Combine(CgroupRoot, rel);
            var cpu = KeyValues(Path.Combine(dir, "cpu.stat"));
            stats.CpuStats = new ContainerCPUStats
            {
                CpuUsage = new ContainerCPUUsage { TotalUsage = cpu.GetValueOrDefault("usage_usec") * 1000, UsageInKernelmode = cpu.GetValueOrDefault("system_usec") * 1000, UsageInUsermode = cpu.GetValueOrDefault("user_usec") * 1000 },
                SystemCpuUsage = system,
                OnlineCpus = online,
                ThrottlingData = new ContainerThrottlingData { Periods = cpu.GetValueOrDefault("nr_periods"), ThrottledPeriods = cpu.GetValueOrDefault("nr_throttled"), ThrottledTime = cpu.GetValueOrDefault("throttled_usec") * 1000 },
            };
            var mem = KeyValues(Path.Combine(dir, "memory.stat"));
            stats.MemoryStats = new ContainerMemoryStats { Usage = Number(Path.Combine(dir, "memory.current")), Limit = LimitOrHost(Path.Combine(dir, "memory.max")), Stats = mem };
            stats.PidsStats = new ContainerPidsStats { Current = Number(Path.Combine(dir, "pids.current")), Limit = LimitOrNull(Path.Combine(dir, "pids.max")) };
        }
        else
        {
            var cpuDir = Path.Combine(CgroupRoot, "cpu,cpuacct", rel);
            if (!Directory.Exists(cpuDir))
            {
                cpuDir = Path.Combine(CgroupRoot, "cpuacct", rel);
            }
            var percpu = File.Exists(Path.Combine(cpuDir, "cpuacct.usage_percpu"))
                ? File.ReadAllText(Path.Combine(cpuDir, "cpuacct.usage_percpu")).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToList()
                : [];
            var cpuacct = KeyValues(Path.Combine(cpuDir, "cpuacct.stat"));
            var throttling = KeyValues(Path.Combine(cpuDir, "cpu.stat"));
            const long TickNs = 10_000_000; // USER_HZ = 100
            stats.CpuStats = new ContainerCPUStats
            {
                CpuUsage = new ContainerCPUUsage { TotalUsage = Number(Path.Combine(cpuDir, "cpuacct.usage")), PercpuUsage = percpu, UsageInKernelmode = cpuacct.GetValueOrDefault("system") * TickNs, UsageInUsermode = cpuacct.GetValueOrDefault("user") * TickNs },
                SystemCpuUsage = system,
                OnlineCpus = online,
                ThrottlingData = new ContainerThrottlingData { Periods = throttling.GetValueOrDefault("nr_periods"), ThrottledPeriods = throttling.GetValueOrDefault("nr_throttled"), ThrottledTime = throttling.GetValueOrDefault("throttled_time") },
            };
            var memDir = Path.Combine(CgroupRoot, "memory", rel);
            stats.MemoryStats = new ContainerMemoryStats
            {
                Usage = Number(Path.Combine(memDir, "memory.usage_in_bytes")),
                MaxUsage = Number(Path.Combine(memDir, "memory.max_usage_in_bytes")),
                Failcnt = Number(Path.Combine(memDir, "memory.failcnt")),
                Limit = LimitOrHost(Path.Combine(memDir, "memory.limit_in_bytes")),
                Stats = KeyValues(Path.Combine(memDir, "memory.stat")),
            };
            var pidsDir = Path.Combine(CgroupRoot, "pids", rel);
            stats.PidsStats = new ContainerPidsStats { Current = Number(Path.Combine(pidsDir, "pids.current")), Limit = LimitOrNull(Path.Combine(pidsDir, "pids.max")) };
        }
        if (c.State.Pid > 0 && c.HostConfig.NetworkMode != "host")
        {
            stats.Networks = Networks(c.State.Pid);
        }
        return stats;
    }

    private static Dictionary<string, ContainerNetworkStats> Networks(int pid)
    {
        var result = new Dictionary<string, ContainerNetworkStats>(StringComparer.Ordinal);
        var path = $"/proc/{pid}/net/dev";
        if (!File.Exists(path))
        {
            return result;
        }
        foreach (var line in File.ReadLines(path).Skip(2))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[..colon].Trim();
            if (name == "lo")
            {
                continue;
            }
            var f = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            result[name] = new ContainerNetworkStats { RxBytes = f[0], RxPackets = f[1], RxErrors = f[2], RxDropped = f[3], TxBytes = f[8], TxPackets = f[9], TxErrors = f[10], TxDropped = f[11] };
        }
        return result;
    }

    private static long SystemCpuNanoseconds()
    {
        var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        var total = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(7).Sum(s => long.Parse(s, CultureInfo.InvariantCulture));
        return total * 10_000_000;
    }

    private static long Number(string path) =>
        File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static long LimitOrHost(string path)
    {
        var text = File.Exists(path) ? File.ReadAllText(path).Trim() : "max";
        var host = HostMemory();
        return text == "max" || !long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n > host ? host : n;
    }

    private static long? LimitOrNull(string path)
    {
        var text = File.Exists(path) ? File.ReadAllText(path).Trim() : "max";
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    private static long HostMemory()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }
        return long.MaxValue;
    }

    private static Dictionary<string, long> KeyValues(string path)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return result;
        }
        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
            {
                result[parts[0]] = v;
            }
        }
        return result;
    }
}
