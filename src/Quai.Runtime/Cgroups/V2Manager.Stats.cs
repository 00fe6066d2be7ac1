namespace Quai.Runtime.Cgroups;

internal sealed partial class V2Manager
{
    public CgroupStats GetStats() => ReadStats(Directory);

    /// <summary>Statistics from the v2 files of <paramref name="dir"/> (cgroup-v2.rst, "Memory", "CPU", "PID", "IO" interface files).</summary>
    internal static CgroupStats ReadStats(string dir)
    {
        CgroupMemoryStats? memory = null;
        if (CgroupFiles.TryRead(dir, "memory.current") is { } current)
        {
            var events = CgroupFiles.ParseFlatKeyed(CgroupFiles.TryRead(dir, "memory.events"));
            memory = new CgroupMemoryStats
            {
                Usage = CgroupFiles.ParseLimit(current) ?? 0,
                MaxUsage = CgroupFiles.ParseLimit(CgroupFiles.TryRead(dir, "memory.peak")) ?? 0,
                Limit = CgroupFiles.ParseLimit(CgroupFiles.TryRead(dir, "memory.max")),
                Failcnt = events.GetValueOrDefault("max"),
                OomKills = events.GetValueOrDefault("oom_kill"),
                SwapUsage = CgroupFiles.ParseLimit(CgroupFiles.TryRead(dir, "memory.swap.current")),
                Stat = CgroupFiles.ParseFlatKeyed(CgroupFiles.TryRead(dir, "memory.stat")),
            };
        }
        CgroupCpuStats? cpu = null;
        if (CgroupFiles.TryRead(dir, "cpu.stat") is { } cpuStat)
        {
            var s = CgroupFiles.ParseFlatKeyed(cpuStat);
            cpu = new CgroupCpuStats
            {
                UsageNanos = s.GetValueOrDefault("usage_usec") * 1000,
                UserNanos = s.GetValueOrDefault("user_usec") * 1000,
                SystemNanos = s.GetValueOrDefault("system_usec") * 1000,
                Periods = s.GetValueOrDefault("nr_periods"),
                ThrottledPeriods = s.GetValueOrDefault("nr_throttled"),
                ThrottledNanos = s.GetValueOrDefault("throttled_usec") * 1000,
            };
        }
        CgroupPidsStats? pids = null;
        if (CgroupFiles.TryRead(dir, "pids.current") is { } pidsCurrent)
        {
            pids = new CgroupPidsStats
            {
                Current = CgroupFiles.ParseLimit(pidsCurrent) ?? 0,
                Limit = CgroupFiles.ParseLimit(CgroupFiles.TryRead(dir, "pids.max")),
            };
        }
        return new CgroupStats { Memory = memory, Cpu = cpu, Pids = pids, BlkioBytes = ParseIoStat(CgroupFiles.TryRead(dir, "io.stat")) };
    }

    /// <summary>io.stat: "8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0" per device.</summary>
    internal static List<CgroupBlkioEntry> ParseIoStat(string? text)
    {
        var entries = new List<CgroupBlkioEntry>();
        foreach (var line in (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || !TryParseDevice(fields[0], out var major, out var minor))
            {
                continue;
            }
            foreach (var kv in fields.Skip(1))
            {
                var eq = kv.IndexOf('=', StringComparison.Ordinal);
                if (eq < 0 || !ulong.TryParse(kv[(eq + 1)..], out var value))
                {
                    continue;
                }
                var op = kv[..eq] switch
                {
                    "rbytes" => "Read",
                    "wbytes" => "Write",
                    "dbytes" => "Discard",
                    _ => null,
                };
                if (op is not null)
                {
                    entries.Add(new CgroupBlkioEntry(major, minor, op, value));
                }
            }
        }
        return entries;
    }

    internal static bool TryParseDevice(string text, out long major, out long minor)
    {
        major = 0;
        minor = 0;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && long.TryParse(text.AsSpan(0, colon), out major) && long.TryParse(text.AsSpan(colon + 1), out minor);
    }
}
