namespace Quai.Shim.Server;

/// <summary>
/// Best-effort OOM detection: the container's memory cgroup is found from /proc/PID/cgroup while
/// the process runs, and its oom_kill counter (v1 memory.oom_control, v2 memory.events; both count
/// kills since the cgroup was made, kernel ≥ 4.13) is read after exit, before `runtime delete`
/// removes the cgroup. A container without its own memory cgroup reports false.
/// </summary>
internal sealed class OomProbe
{
    private readonly string? _file;

    private OomProbe(string? file) => _file = file;

    /// <summary>The file to read for <paramref name="pid"/>'s memory cgroup, or a probe that always says false.</summary>
    public static OomProbe ForPid(int pid)
    {
        try
        {
            foreach (var line in System.IO.File.ReadLines($"/proc/{pid}/cgroup"))
            {
                var parts = line.Split(':', 3);
                if (parts.Length != 3)
                {
                    continue;
                }
                var path = parts[2].TrimStart('/');
                if (parts[1].Split(',').Contains("memory"))
                {
                    return Existing(Path.Combine("/sys/fs/cgroup/memory", path, "memory.oom_control"));
                }
                if (parts[0] == "0" && parts[1].Length == 0)
                {
                    var probe = Existing(Path.Combine("/sys/fs/cgroup", path, "memory.events"));
                    if (probe._file is not null)
                    {
                        return probe;
                    }
                }
            }
        }
        catch (IOException)
        {
        }
        return new OomProbe(null);
    }

    /// <summary>The cgroup file read, or null.</summary>
    public string? File => _file;

    /// <summary>True when the cgroup's oom_kill counter is above zero.</summary>
    public bool OomKilled()
    {
        if (_file is null)
        {
            return false;
        }
        try
        {
            foreach (var line in System.IO.File.ReadLines(_file))
            {
                if (line.StartsWith("oom_kill ", StringComparison.Ordinal))
                {
                    return long.TryParse(line.AsSpan(9), out var n) && n > 0;
                }
            }
        }
        catch (IOException)
        {
        }
        return false;
    }

    /// <summary>
    /// True when the container's memory cgroup (the probe's) lists no process: after its init was
    /// reaped, nothing of the container runs. False when unknown.
    /// </summary>
    public bool ContainerEmpty()
    {
        if (_file is null)
        {
            return false;
        }
        try
        {
            return System.IO.File.ReadAllText(Path.Combine(Path.GetDirectoryName(_file)!, "cgroup.procs")).Trim().Length == 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static OomProbe Existing(string file) => new(System.IO.File.Exists(file) ? file : null);
}
