using System.Globalization;
using System.Text.Json.Nodes;
using Quai.Cli.Api;
using Quai.Cli.Formatting;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`update`: POST /containers/{id}/update with the resources and restart policy given.</summary>
internal static class UpdateCommand
{
    public static readonly Command Definition = new("container update", "[OPTIONS] CONTAINER [CONTAINER...]", "Update configuration of one or more containers",
        [
            Flag.Str("cpu-shares", 'c', "CPU shares (relative weight)", "int"),
            Flag.Str("cpus", '\0', "Number of CPUs", "decimal"),
            Flag.Str("cpuset-cpus", '\0', "CPUs in which to allow execution (0-3, 0,1)"),
            Flag.Str("cpuset-mems", '\0', "MEMs in which to allow execution (0-3, 0,1)"),
            Flag.Str("memory", 'm', "Memory limit", "bytes"),
            Flag.Str("memory-reservation", '\0', "Memory soft limit", "bytes"),
            Flag.Str("memory-swap", '\0', "Swap limit equal to memory plus swap: -1 to enable unlimited swap", "bytes"),
            Flag.Str("pids-limit", '\0', "Tune container pids limit (set -1 for unlimited)", "int"),
            Flag.Str("restart", '\0', "Restart policy to apply when a container exits"),
        ], (ctx, f) =>
        {
            var body = new JsonObject();
            if (f.Has("cpu-shares"))
            {
                body["CpuShares"] = f.Int("cpu-shares", 0);
            }
            if (f.Str("cpus") is { } cpus)
            {
                body["NanoCpus"] = (long)(double.Parse(cpus, CultureInfo.InvariantCulture) * 1e9);
            }
            if (f.Str("cpuset-cpus") is { } cc)
            {
                body["CpusetCpus"] = cc;
            }
            if (f.Str("cpuset-mems") is { } cm)
            {
                body["CpusetMems"] = cm;
            }
            if (f.Str("memory") is { } m)
            {
                body["Memory"] = Units.RamInBytes(m);
            }
            if (f.Str("memory-reservation") is { } mr)
            {
                body["MemoryReservation"] = Units.RamInBytes(mr);
            }
            if (f.Str("memory-swap") is { } ms)
            {
                body["MemorySwap"] = ms == "-1" ? -1 : Units.RamInBytes(ms);
            }
            if (f.Has("pids-limit"))
            {
                body["PidsLimit"] = f.Int("pids-limit", 0);
            }
            if (f.Str("restart") is { } restart)
            {
                var colon = restart.IndexOf(':', StringComparison.Ordinal);
                body["RestartPolicy"] = new JsonObject
                {
                    ["Name"] = colon < 0 ? restart : restart[..colon],
                    ["MaximumRetryCount"] = colon < 0 ? 0 : long.Parse(restart[(colon + 1)..], CultureInfo.InvariantCulture),
                };
            }
            if (body.Count == 0)
            {
                throw new CliException("you must provide one or more flags when using this command");
            }
            return Helpers.ForEachAsync(ctx, f.Args, async c =>
            {
                var r = await ctx.Client.PostJsonAsync($"/containers/{DockerClient.Esc(c)}/update", body.DeepClone()).ConfigureAwait(false);
                foreach (var w in r?["Warnings"] as JsonArray ?? [])
                {
                    await ctx.Err.WriteLineAsync(w?.ToString()).ConfigureAwait(false);
                }
                await ctx.Out.WriteLineAsync(c).ConfigureAwait(false);
            });
        })
    { Aliases = ["update"], MinArgs = 1 };
}
