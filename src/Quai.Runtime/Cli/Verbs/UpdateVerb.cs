using System.Text.Json;
using Quai.Oci.Runtime;
using Quai.Runtime.Store;

namespace Quai.Runtime.Cli.Verbs;

/// <summary>`update [-r FILE|-] [--memory N] [--cpu-quota N] [--cpu-period N] [--cpu-shares N] [--pids-limit N] ID`.</summary>
public static class UpdateVerb
{
    public static readonly Verb Definition = new("update", "[options] <container-id>", "update the container's cgroup limits",
    [
        new("resources", 'r', TakesValue: true, Alias: "r"),
        new("memory", TakesValue: true),
        new("memory-swap", TakesValue: true),
        new("memory-reservation", TakesValue: true),
        new("cpu-quota", TakesValue: true),
        new("cpu-period", TakesValue: true),
        new("cpu-shares", TakesValue: true),
        new("cpuset-cpus", TakesValue: true),
        new("cpuset-mems", TakesValue: true),
        new("pids-limit", TakesValue: true),
    ], 1, 1, (c, a) =>
    {
        c.Service.Update(a.Positionals[0], Resources(a));
        return 0;
    });

    /// <summary>The resources from -r (a file, or "-" for stdin) with the single-value flags on top.</summary>
    public static LinuxResources Resources(ParsedArgs a)
    {
        var resources = new LinuxResources();
        if (a.Get("resources") is { } file)
        {
            var json = file == "-" ? Console.In.ReadToEnd() : File.ReadAllText(file);
            try
            {
                resources = SpecJson.ParseResources(System.Text.Encoding.UTF8.GetBytes(json));
            }
            catch (JsonException e)
            {
                throw new RuntimeException($"update -r {file}: not a valid linux.resources JSON document: {e.Message}", e);
            }
        }
        if (a.GetLong("memory") is { } memory)
        {
            (resources.Memory ??= new LinuxMemory()).Limit = memory;
        }
        if (a.GetLong("memory-swap") is { } swap)
        {
            (resources.Memory ??= new LinuxMemory()).Swap = swap;
        }
        if (a.GetLong("memory-reservation") is { } reservation)
        {
            (resources.Memory ??= new LinuxMemory()).Reservation = reservation;
        }
        if (a.GetLong("cpu-quota") is { } quota)
        {
            (resources.Cpu ??= new LinuxCpu()).Quota = quota;
        }
        if (a.GetLong("cpu-period") is { } period)
        {
            (resources.Cpu ??= new LinuxCpu()).Period = (ulong)period;
        }
        if (a.GetLong("cpu-shares") is { } shares)
        {
            (resources.Cpu ??= new LinuxCpu()).Shares = (ulong)shares;
        }
        if (a.Get("cpuset-cpus") is { } cpus)
        {
            (resources.Cpu ??= new LinuxCpu()).Cpus = cpus;
        }
        if (a.Get("cpuset-mems") is { } mems)
        {
            (resources.Cpu ??= new LinuxCpu()).Mems = mems;
        }
        if (a.GetLong("pids-limit") is { } pids)
        {
            resources.Pids = new LinuxPids { Limit = pids };
        }
        return resources;
    }
}
