using System.Text.Json.Nodes;
using Quai.Api.Models;
using Quai.Cli.Api;
using Quai.Cli.Formatting;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`volume create|ls|rm|prune` (inspect is in <see cref="InspectCommand"/>).</summary>
internal static class VolumeCommands
{
    public static readonly Command Create = new("volume create", "[OPTIONS] [VOLUME]", "Create a volume",
        [
            Flag.Str("driver", 'd', "Specify volume driver name", "string", "\"local\""),
            Flag.List("label", '\0', "Set metadata for a volume"),
            Flag.Str("name", '\0', "Specify volume name"),
            Flag.List("opt", 'o', "Set driver specific options", "map"),
        ], async (ctx, f) =>
        {
            if (f.Args.Count == 1 && f.Str("name") is { } n && n != f.Args[0])
            {
                throw new CliException($"conflicting options: cannot specify a volume-name through both --name and as a positional arg");
            }
            var labels = new Dictionary<string, string>();
            foreach (var l in f.List("label"))
            {
                var eq = l.IndexOf('=', StringComparison.Ordinal);
                labels[eq < 0 ? l : l[..eq]] = eq < 0 ? "" : l[(eq + 1)..];
            }
            var opts = new Dictionary<string, string>();
            foreach (var o in f.List("opt"))
            {
                var eq = o.IndexOf('=', StringComparison.Ordinal);
                opts[eq < 0 ? o : o[..eq]] = eq < 0 ? "" : o[(eq + 1)..];
            }
            var body = new VolumeCreateOptions
            {
                Driver = f.Str("driver", "local"),
                DriverOpts = opts,
                Labels = labels,
                Name = f.Args.Count == 1 ? f.Args[0] : f.Str("name", ""),
            };
            var v = await ctx.Client.PostAsync("/volumes/create", body, ApiJsonContext.Default.VolumeCreateOptions, ApiJsonContext.Default.Volume).ConfigureAwait(false);
            await ctx.Out.WriteLineAsync(v?.Name).ConfigureAwait(false);
            return 0;
        })
    { MaxArgs = 1 };

    public static readonly Command Ls = new("volume ls", "[OPTIONS]", "List volumes",
        [
            Flag.List("filter", 'f', "Provide filter values (e.g. \"dangling=true\")", "filter"),
            Flag.Str("format", '\0', "Format output using a custom template"),
            Flag.Bool("quiet", 'q', "Only display volume names"),
        ], async (ctx, f) =>
        {
            var r = await ctx.Client.GetJsonAsync("/volumes" + Helpers.Query(("filters", Helpers.Filters(f.List("filter"))))).ConfigureAwait(false);
            var volumes = (r?["Volumes"] as JsonArray ?? []).OrderBy(v => Helpers.S(v, "Name"), StringComparer.Ordinal).ToList();
            var format = f.Str("format") ?? (f.Bool("quiet") ? "{{.Name}}" : "table {{.Driver}}\t{{.Name}}");
            Helpers.PrintRows(ctx, format, volumes.Select(Row), new Dictionary<string, string>
            {
                ["Driver"] = "DRIVER",
                ["Name"] = "VOLUME NAME",
                ["Mountpoint"] = "MOUNTPOINT",
                ["Scope"] = "SCOPE",
                ["Labels"] = "LABELS",
                ["Links"] = "LINKS",
                ["Size"] = "SIZE",
            });
            return 0;
        })
    { Aliases = ["volume list"], MaxArgs = 0 };

    public static readonly Command Rm = new("volume rm", "[OPTIONS] VOLUME [VOLUME...]", "Remove one or more volumes",
        [Flag.Bool("force", 'f', "Force the removal of one or more volumes")],
        (ctx, f) => Helpers.ForEachAsync(ctx, f.Args, async v =>
        {
            await ctx.Client.DeleteAsync($"/volumes/{DockerClient.Esc(v)}" + Helpers.Query(("force", f.Bool("force") ? "1" : null))).ConfigureAwait(false);
            await ctx.Out.WriteLineAsync(v).ConfigureAwait(false);
        }))
    { Aliases = ["volume remove"], MinArgs = 1 };

    public static readonly Command Prune = new("volume prune", "[OPTIONS]", "Remove unused local volumes",
        [
            Flag.Bool("all", 'a', "Remove all unused volumes, not just anonymous ones"),
            Flag.List("filter", '\0', "Provide filter values (e.g. \"label=<label>\")", "filter"),
            Flag.Bool("force", 'f', "Do not prompt for confirmation"),
        ], async (ctx, f) =>
        {
            var warning = f.Bool("all")
                ? "WARNING! This will remove all local volumes not used by at least one container."
                : "WARNING! This will remove anonymous local volumes not used by at least one container.";
            if (!f.Bool("force") && !await Prompt.ConfirmAsync(ctx, warning).ConfigureAwait(false))
            {
                return 0;
            }
            var extra = f.Bool("all") ? new[] { ("all", "true") } : [];
            var r = await ctx.Client.PostJsonAsync("/volumes/prune" + Helpers.Query(("filters", Helpers.Filters(f.List("filter"), extra)))).ConfigureAwait(false);
            await Prompt.PrintPrunedAsync(ctx, "Deleted Volumes:", r?["VolumesDeleted"] as JsonArray, Helpers.L(r, "SpaceReclaimed")).ConfigureAwait(false);
            return 0;
        })
    { MaxArgs = 0 };

    private static JsonObject Row(JsonNode? v) => new()
    {
        ["Driver"] = Helpers.S(v, "Driver"),
        ["Labels"] = string.Join(',', (v?["Labels"] as JsonObject ?? []).Select(kv => kv.Key + "=" + kv.Value)),
        ["Links"] = v?["UsageData"] is { } u ? Helpers.L(u, "RefCount").ToString(System.Globalization.CultureInfo.InvariantCulture) : "N/A",
        ["Mountpoint"] = Helpers.S(v, "Mountpoint"),
        ["Name"] = Helpers.S(v, "Name"),
        ["Scope"] = Helpers.S(v, "Scope"),
        ["Size"] = v?["UsageData"] is { } s ? Units.HumanSizeWithPrecision(Helpers.L(s, "Size"), 3) : "N/A",
    };
}
