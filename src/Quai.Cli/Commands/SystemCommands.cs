using System.Text.Json.Nodes;
using Quai.Cli.Formatting;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`system df` and `system prune`.</summary>
internal static class SystemCommands
{
    public static readonly Command Df = new("system df", "[OPTIONS]", "Show docker disk usage",
        [
            Flag.Str("format", '\0', "Format output using a custom template"),
            Flag.Bool("verbose", 'v', "Show detailed information on space usage"),
        ], async (ctx, f) =>
        {
            var df = await ctx.Client.GetJsonAsync("/system/df").ConfigureAwait(false);
            var images = df?["Images"] as JsonArray ?? [];
            var containers = df?["Containers"] as JsonArray ?? [];
            var volumes = df?["Volumes"] as JsonArray ?? [];
            var cache = df?["BuildCache"] as JsonArray ?? [];
            if (f.Bool("verbose"))
            {
                await ctx.Out.WriteLineAsync("Images space usage:\n").ConfigureAwait(false);
                Helpers.PrintRows(ctx, "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}",
                    images.SelectMany(i => ImagesCommand.Rows(i!, false, DateTimeOffset.UtcNow)), new Dictionary<string, string>
                    {
                        ["Repository"] = "REPOSITORY",
                        ["Tag"] = "TAG",
                        ["ID"] = "IMAGE ID",
                        ["CreatedSince"] = "CREATED",
                        ["Size"] = "SIZE",
                        ["SharedSize"] = "SHARED SIZE",
                        ["UniqueSize"] = "UNIQUE SIZE",
                        ["Containers"] = "CONTAINERS",
                    });
                await ctx.Out.WriteLineAsync("\nContainers space usage:\n").ConfigureAwait(false);
                Helpers.PrintRows(ctx, "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}",
                    containers.Select(c => PsCommand.Row(c!, false, DateTimeOffset.UtcNow)), new Dictionary<string, string>
                    {
                        ["ID"] = "CONTAINER ID",
                        ["Image"] = "IMAGE",
                        ["Command"] = "COMMAND",
                        ["LocalVolumes"] = "LOCAL VOLUMES",
                        ["Size"] = "SIZE",
                        ["RunningFor"] = "CREATED",
                        ["Status"] = "STATUS",
                        ["Names"] = "NAMES",
                    });
                await ctx.Out.WriteLineAsync("\nLocal Volumes space usage:\n").ConfigureAwait(false);
                Helpers.PrintRows(ctx, "table {{.Name}}\t{{.Links}}\t{{.Size}}", volumes.Select(v => new JsonObject
                {
                    ["Name"] = Helpers.S(v, "Name"),
                    ["Links"] = Helpers.L(v?["UsageData"], "RefCount").ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["Size"] = Units.HumanSizeWithPrecision(Helpers.L(v?["UsageData"], "Size"), 3),
                }), new Dictionary<string, string> { ["Name"] = "VOLUME NAME", ["Links"] = "LINKS", ["Size"] = "SIZE" });
                await ctx.Out.WriteLineAsync("\nBuild cache usage: " + Units.HumanSize(Helpers.L(df, "BuilderSize"))).ConfigureAwait(false);
                return 0;
            }
            var imageSize = Helpers.L(df, "LayersSize");
            var activeImages = images.Count(i => Helpers.L(i, "Containers") > 0);
            var usedImageSize = images.Where(i => Helpers.L(i, "Containers") > 0).Sum(i => Helpers.L(i, "Size") - Math.Max(0, Helpers.L(i, "SharedSize")));
            var reclaimImages = Math.Max(0, imageSize - usedImageSize);
            var containerSize = containers.Sum(c => Helpers.L(c, "SizeRw"));
            var reclaimContainers = containers.Where(c => Helpers.S(c, "State") != "running").Sum(c => Helpers.L(c, "SizeRw"));
            var volumeSize = volumes.Sum(v => Math.Max(0, Helpers.L(v?["UsageData"], "Size")));
            var reclaimVolumes = volumes.Where(v => Helpers.L(v?["UsageData"], "RefCount") == 0).Sum(v => Math.Max(0, Helpers.L(v?["UsageData"], "Size")));
            var cacheSize = cache.Sum(c => Helpers.L(c, "Size"));
            string Pct(long part, long total) => total > 0 ? $"{Units.HumanSize(part)} ({part * 100 / total}%)" : Units.HumanSize(part);
            var rows = new[]
            {
                Row("Images", images.Count, activeImages, Units.HumanSize(imageSize), Pct(reclaimImages, imageSize)),
                Row("Containers", containers.Count, containers.Count(c => Helpers.S(c, "State") == "running"), Units.HumanSize(containerSize), Pct(reclaimContainers, containerSize)),
                Row("Local Volumes", volumes.Count, volumes.Count(v => Helpers.L(v?["UsageData"], "RefCount") > 0), Units.HumanSize(volumeSize), Pct(reclaimVolumes, volumeSize)),
                Row("Build Cache", cache.Count, cache.Count(c => c?["InUse"]?.GetValue<bool>() ?? false), Units.HumanSize(cacheSize), Units.HumanSize(cacheSize)),
            };
            Helpers.PrintRows(ctx, f.Str("format") ?? "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}", rows, new Dictionary<string, string>
            {
                ["Type"] = "TYPE",
                ["TotalCount"] = "TOTAL",
                ["Active"] = "ACTIVE",
                ["Size"] = "SIZE",
                ["Reclaimable"] = "RECLAIMABLE",
            });
            return 0;
        })
    { MaxArgs = 0 };

    public static readonly Command Prune = new("system prune", "[OPTIONS]", "Remove unused data",
        [
            Flag.Bool("all", 'a', "Remove all unused images not just dangling ones"),
            Flag.List("filter", '\0', "Provide filter values (e.g. \"label=<key>=<value>\")", "filter"),
            Flag.Bool("force", 'f', "Do not prompt for confirmation"),
            Flag.Bool("volumes", '\0', "Prune anonymous volumes"),
        ], async (ctx, f) =>
        {
            var items = new List<string> { "all stopped containers" };
            if (f.Bool("volumes"))
            {
                items.Add("all anonymous volumes not used by at least one container");
            }
            items.Add("all networks not used by at least one container");
            items.Add(f.Bool("all") ? "all images without at least one container associated to them" : "all dangling images");
            items.Add(f.Bool("all") ? "all build cache" : "unused build cache");
            var warning = "WARNING! This will remove:\n" + string.Concat(items.Select(i => "  - " + i + "\n"));
            if (!f.Bool("force") && !await Prompt.ConfirmAsync(ctx, warning.TrimEnd('\n') + "\n").ConfigureAwait(false))
            {
                return 0;
            }
            long total = 0;
            var filters = Helpers.Filters(f.List("filter"));
            var c = await ctx.Client.PostJsonAsync("/containers/prune" + Helpers.Query(("filters", filters))).ConfigureAwait(false);
            Print(ctx, "Deleted Containers:", c?["ContainersDeleted"] as JsonArray);
            total += Helpers.L(c, "SpaceReclaimed");
            if (f.Bool("volumes"))
            {
                var v = await ctx.Client.PostJsonAsync("/volumes/prune" + Helpers.Query(("filters", filters))).ConfigureAwait(false);
                Print(ctx, "Deleted Volumes:", v?["VolumesDeleted"] as JsonArray);
                total += Helpers.L(v, "SpaceReclaimed");
            }
            var n = await ctx.Client.PostJsonAsync("/networks/prune" + Helpers.Query(("filters", filters))).ConfigureAwait(false);
            Print(ctx, "Deleted Networks:", n?["NetworksDeleted"] as JsonArray);
            var i = await ctx.Client.PostJsonAsync("/images/prune" + Helpers.Query(("filters", Helpers.Filters(f.List("filter"), ("dangling", f.Bool("all") ? "false" : "true"))))).ConfigureAwait(false);
            Print(ctx, "Deleted Images:", i?["ImagesDeleted"] as JsonArray);
            total += Helpers.L(i, "SpaceReclaimed");
            try
            {
                var b = await ctx.Client.PostJsonAsync("/build/prune" + Helpers.Query(("all", f.Bool("all") ? "1" : null))).ConfigureAwait(false);
                Print(ctx, "Deleted build cache objects:", b?["CachesDeleted"] as JsonArray);
                total += Helpers.L(b, "SpaceReclaimed");
            }
            catch (Api.DockerApiException)
            {
                // A daemon without a build cache (quaid today) has no /build/prune.
            }
            await ctx.Out.WriteLineAsync("Total reclaimed space: " + Units.HumanSize(total)).ConfigureAwait(false);
            return 0;
        })
    { MaxArgs = 0 };

    private static void Print(CliContext ctx, string title, JsonArray? items)
    {
        if (items is not { Count: > 0 })
        {
            return;
        }
        ctx.Out.WriteLine(title);
        foreach (var item in items)
        {
            ctx.Out.WriteLine(item is JsonObject o ? string.Join('\n', o.Select(kv => kv.Key + ": " + kv.Value)) : item?.ToString());
        }
        ctx.Out.WriteLine();
    }

    private static JsonObject Row(string type, int total, int active, string size, string reclaimable) => new()
    {
        ["Type"] = type,
        ["TotalCount"] = total.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Active"] = active.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Size"] = size,
        ["Reclaimable"] = reclaimable,
    };
}
