namespace Quai.Runtime.Cgroups;

internal sealed partial class V1Manager
{
    /// <summary>cpuacct.stat counts in USER_HZ, which is 100 on every Linux ABI (time(7)).</summary>
    private const ulong NanosPerUserHz = 10_000_000;

    public CgroupStats GetStats()
    {
        var stats = ReadStats(Find("memory")?.Directory, Find("cpu")?.Directory, Find("cpuacct")?.Directory, Find("pids")?.Directory, Find("blkio")?.Directory);
        return stats;
    }

    /// <summary>Statistics from the v1 files of each controller's directory (null when not mounted).</summary>
    internal static CgroupStats ReadStats(string? memoryDir, string? cpuDir, string? cpuacctDir, string? pidsDir, string? blkioDir)
    {
        CgroupMemoryStats? memory = null;
        if (memoryDir is not null && CgroupFiles.TryRead(memoryDir, "memory.usage_in_bytes") is { } usageText)
        {
            var usage = CgroupFiles.ParseLimit(usageText) ?? 0;
            var memsw = CgroupFiles.ParseLimit(CgroupFiles.TryRead(memoryDir, "memory.memsw.usage_in_bytes"));
            memory = new CgroupMemoryStats
            {
                Usage = usage,
                MaxUsage = CgroupFiles.ParseLimit(CgroupFiles.TryRead(memoryDir, "memory.max_usage_in_bytes")) ?? 0,
                Limit = CgroupFiles.ParseLimit(CgroupFiles.TryRead(memoryDir, "memory.limit_in_bytes")),
                Failcnt = CgroupFiles.ParseLimit(CgroupFiles.TryRead(memoryDir, "memory.failcnt")) ?? 0,
                // "oom_kill" in memory.oom_control since Linux 4.13.
                OomKills = CgroupFiles.ParseFlatKeyed(CgroupFiles.TryRead(memoryDir, "memory.oom_control")).GetValueOrDefault("oom_kill"),
                SwapUsage = memsw is { } m && m >= usage ? m - usage : null,
                Stat = CgroupFiles.ParseFlatKeyed(CgroupFiles.TryRead(memoryDir, "memory.stat")),
            };
        }
        CgroupCpuStats? cpu = null;
        if (cpuDir is not null || cpuacctDir is not null)
        {
            var throttling = CgroupFiles.ParseFlatKeyed(cpuDir is null ? null : CgroupFiles.TryRead(cpuDir, "cpu.stat"));
            var acct = CgroupFiles.ParseFlatKeyed(cpuacctDir is null ? null : CgroupFiles.TryRead(cpuacctDir, "cpuacct.stat"));
            cpu = new CgroupCpuStats
            {
                UsageNanos = (cpuacctDir is null ? null : CgroupFiles.ParseLimit(CgroupFiles.TryRead(cpuacctDir, "cpuacct.usage"))) ?? 0,
                UserNanos = acct.GetValueOrDefault("user") * NanosPerUserHz,
                SystemNanos = acct.GetValueOrDefault("system") * NanosPerUserHz,
                Periods = throttling.GetValueOrDefault("nr_periods"),
                ThrottledPeriods = throttling.GetValueOrDefault("nr_throttled"),
                ThrottledNanos = throttling.GetValueOrDefault("throttled_time"),
            };
        }
        CgroupPidsStats? pids = null;
        if (pidsDir is not null && CgroupFiles.TryRead(pidsDir, "pids.current") is { } current)
        {
            pids = new CgroupPidsStats
            {
                Current = CgroupFiles.ParseLimit(current) ?? 0,
                Limit = CgroupFiles.ParseLimit(CgroupFiles.TryRead(pidsDir, "pids.max")),
            };
        }
        var blkio = new List<CgroupBlkioEntry>();
        if (blkioDir is not null)
        {
            blkio = ParseBlkio(CgroupFiles.TryRead(blkioDir, "blkio.throttle.io_service_bytes_recursive")
                ?? CgroupFiles.TryRead(blkioDir, "blkio.throttle.io_service_bytes"));
        }
        return new CgroupStats { Memory = memory, Cpu = cpu, Pids = pids, BlkioBytes = blkio };
    }

    /// <summary>blkio.throttle.io_service_bytes: "8:0 Read 4096" per device and op, then a "Total N" line (skipped).</summary>
    internal static List<CgroupBlkioEntry> ParseBlkio(string? text)
    {
        var entries = new List<CgroupBlkioEntry>();
        foreach (var line in (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 3 && V2Manager.TryParseDevice(f[0], out var major, out var minor) && ulong.TryParse(f[2], out var value))
            {
                entries.Add(new CgroupBlkioEntry(major, minor, f[1], value));
            }
        }
        return entries;
    }
}
