using System.Globalization;
using System.Text.Json.Nodes;
using Quai.Cli.Api;
using Quai.Cli.Formatting;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`stats`: GET /containers/{id}/stats?stream=0 per container, docker's CPU/memory/IO arithmetic and table.</summary>
internal static class StatsCommand
{
    private const string DefaultFormat = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";

    private static readonly Dictionary<string, string> Headers = new()
    {
        ["ID"] = "CONTAINER ID",
        ["Container"] = "CONTAINER",
        ["Name"] = "NAME",
        ["CPUPerc"] = "CPU %",
        ["MemUsage"] = "MEM USAGE / LIMIT",
        ["MemPerc"] = "MEM %",
        ["NetIO"] = "NET I/O",
        ["BlockIO"] = "BLOCK I/O",
        ["PIDs"] = "PIDS",
    };

    public static readonly Command Definition = new("container stats", "[OPTIONS] [CONTAINER...]", "Display a live stream of container(s) resource usage statistics",
        [
            Flag.Bool("all", 'a', "Show all containers (default shows just running)"),
            Flag.Str("format", '\0', "Format output using a custom template"),
            Flag.Bool("no-stream", '\0', "Disable streaming stats and only pull the first result"),
            Flag.Bool("no-trunc", '\0', "Do not truncate output"),
        ], RunAsync)
    { Aliases = ["stats"] };

    private static async Task<int> RunAsync(CliContext ctx, ParsedArgs f)
    {
        var format = f.Str("format") ?? DefaultFormat;
        while (true)
        {
            var targets = f.Args.ToList();
            if (targets.Count == 0)
            {
                var list = await ctx.Client.GetJsonAsync("/containers/json" + (f.Bool("all") ? "?all=1" : "")).ConfigureAwait(false) as JsonArray ?? [];
                targets = list.Select(c => Helpers.S(c, "Id")).ToList();
            }
            var rows = await Task.WhenAll(targets.Select(async t =>
            {
                var s = await ctx.Client.GetJsonAsync($"/containers/{DockerClient.Esc(t)}/stats?stream=0").ConfigureAwait(false);
                return Row(t, s, f.Bool("no-trunc"));
            })).ConfigureAwait(false);
            if (!f.Bool("no-stream"))
            {
                // docker redraws the whole table each second: clear screen, cursor home.
                await ctx.Out.WriteAsync("\u001b[2J\u001b[H").ConfigureAwait(false);
            }
            Helpers.PrintRows(ctx, format, rows, Headers);
            if (f.Bool("no-stream"))
            {
                return 0;
            }
            await Task.Delay(500).ConfigureAwait(false);
        }
    }

    /// <summary>One row from a stats sample (docker's calculateCPUPercentUnix, memory minus inactive file cache).</summary>
    internal static JsonObject Row(string target, JsonNode? s, bool noTrunc)
    {
        var cpu = s?["cpu_stats"];
        var pre = s?["precpu_stats"];
        var cpuDelta = (double)(Helpers.L(cpu?["cpu_usage"], "total_usage") - Helpers.L(pre?["cpu_usage"], "total_usage"));
        var sysDelta = (double)(Helpers.L(cpu, "system_cpu_usage") - Helpers.L(pre, "system_cpu_usage"));
        var online = Helpers.L(cpu, "online_cpus");
        if (online == 0)
        {
            online = (cpu?["cpu_usage"]?["percpu_usage"] as JsonArray)?.Count ?? 1;
        }
        var cpuPct = sysDelta > 0 && cpuDelta > 0 ? cpuDelta / sysDelta * online * 100.0 : 0;
        var mem = s?["memory_stats"];
        var usage = Helpers.L(mem, "usage");
        var stats = mem?["stats"];
        var cache = stats?["total_inactive_file"] is not null ? Helpers.L(stats, "total_inactive_file") : Helpers.L(stats, "inactive_file");
        var used = usage - (cache < usage ? cache : 0);
        var limit = Helpers.L(mem, "limit");
        var memPct = limit > 0 ? used * 100.0 / limit : 0;
        long rx = 0, tx = 0;
        foreach (var (_, n) in s?["networks"] as JsonObject ?? [])
        {
            rx += Helpers.L(n, "rx_bytes");
            tx += Helpers.L(n, "tx_bytes");
        }
        long read = 0, write = 0;
        foreach (var e in s?["blkio_stats"]?["io_service_bytes_recursive"] as JsonArray ?? [])
        {
            var op = Helpers.S(e, "op").ToLowerInvariant();
            if (op == "read")
            {
                read += Helpers.L(e, "value");
            }
            else if (op == "write")
            {
                write += Helpers.L(e, "value");
            }
        }
        var id = Helpers.S(s, "id");
        return new JsonObject
        {
            ["ID"] = noTrunc ? id : Helpers.ShortId(id),
            ["Container"] = target,
            ["Name"] = Helpers.S(s, "name").TrimStart('/'),
            ["CPUPerc"] = cpuPct.ToString("0.00", CultureInfo.InvariantCulture) + "%",
            ["MemUsage"] = Units.BytesSize(used) + " / " + Units.BytesSize(limit),
            ["MemPerc"] = memPct.ToString("0.00", CultureInfo.InvariantCulture) + "%",
            ["NetIO"] = Units.HumanSizeWithPrecision(rx, 3) + " / " + Units.HumanSizeWithPrecision(tx, 3),
            ["BlockIO"] = Units.HumanSizeWithPrecision(read, 3) + " / " + Units.HumanSizeWithPrecision(write, 3),
            ["PIDs"] = Helpers.L(s?["pids_stats"], "current").ToString(CultureInfo.InvariantCulture),
        };
    }
}
