using System.Text.Json.Nodes;
using Quai.Cli.Formatting;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`ps` / `container ls`: GET /containers/json, shown with docker's container formatter fields.</summary>
internal static class PsCommand
{
    private const string DefaultFormat = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

    private static readonly Dictionary<string, string> Headers = new()
    {
        ["ID"] = "CONTAINER ID",
        ["Image"] = "IMAGE",
        ["Command"] = "COMMAND",
        ["CreatedAt"] = "CREATED AT",
        ["RunningFor"] = "CREATED",
        ["Ports"] = "PORTS",
        ["State"] = "STATE",
        ["Status"] = "STATUS",
        ["Size"] = "SIZE",
        ["Names"] = "NAMES",
        ["Labels"] = "LABELS",
        ["Label"] = "LABEL",
        ["Mounts"] = "MOUNTS",
        ["LocalVolumes"] = "LOCAL VOLUMES",
        ["Networks"] = "NETWORKS",
        ["Platform"] = "PLATFORM",
    };

    public static readonly Command Definition = new("container ls", "[OPTIONS]", "List containers",
        [
            Flag.Bool("all", 'a', "Show all containers (default shows just running)"),
            Flag.List("filter", 'f', "Filter output based on conditions provided", "filter"),
            Flag.Str("format", '\0', "Format output using a custom template"),
            Flag.Str("last", 'n', "Show n last created containers (includes all states)", "int", "-1"),
            Flag.Bool("latest", 'l', "Show the latest created container (includes all states)"),
            Flag.Bool("no-trunc", '\0', "Don't truncate output"),
            Flag.Bool("quiet", 'q', "Only display container IDs"),
            Flag.Bool("size", 's', "Display total file sizes"),
        ], RunAsync)
    { Aliases = ["container list", "container ps", "ps"], MaxArgs = 0 };

    private static async Task<int> RunAsync(CliContext ctx, ParsedArgs f)
    {
        var limit = f.Bool("latest") ? 1 : f.Int("last", -1);
        var format = f.Str("format");
        // docker asks the daemon for sizes only when they will be shown (-s, a .Size field, or JSON rows).
        var wantSize = f.Bool("size") || format is not null && (format.Contains(".Size", StringComparison.Ordinal) || format == "json" || format.Contains("json .}}", StringComparison.Ordinal));
        var query = Helpers.Query(
            ("all", f.Bool("all") || limit > 0 ? "1" : null),
            ("limit", limit > 0 ? limit.ToString(System.Globalization.CultureInfo.InvariantCulture) : null),
            ("size", wantSize ? "1" : null),
            ("filters", Helpers.Filters(f.List("filter"))));
        var list = await ctx.Client.GetJsonAsync("/containers/json" + query).ConfigureAwait(false) as JsonArray ?? [];
        var noTrunc = f.Bool("no-trunc");
        if (f.Bool("quiet") && format is null)
        {
            format = "{{.ID}}";
        }
        format ??= f.Bool("size") ? DefaultFormat + "\t{{.Size}}" : DefaultFormat;
        Helpers.PrintRows(ctx, format, list.Select(c => Row(c!, noTrunc, DateTimeOffset.UtcNow)), Headers);
        return 0;
    }

    /// <summary>One container as docker's formatter shows it (the fields `--format` can name).</summary>
    internal static JsonObject Row(JsonNode c, bool noTrunc, DateTimeOffset now)
    {
        var id = Helpers.S(c, "Id");
        var command = Helpers.S(c, "Command");
        var created = Helpers.FromUnix(Helpers.L(c, "Created"));
        var labels = c["Labels"] as JsonObject ?? [];
        var names = (c["Names"] as JsonArray ?? []).Select(n => n!.GetValue<string>().TrimStart('/'))
            .Where(n => noTrunc || !n.Contains('/', StringComparison.Ordinal)).ToList();
        var image = Helpers.S(c, "Image");
        if (!noTrunc)
        {
            if (image.StartsWith("sha256:", StringComparison.Ordinal))
            {
                image = Helpers.ShortId(image);
            }
            else if (image.IndexOf('@', StringComparison.Ordinal) is var at and > 0)
            {
                image = image[..at];
            }
        }
        var networks = (c["NetworkSettings"]?["Networks"] as JsonObject ?? []).Select(kv => kv.Key).OrderBy(k => k, StringComparer.Ordinal);
        var mounts = (c["Mounts"] as JsonArray ?? []).Select(m => Helpers.S(m, "Name") is { Length: > 0 } n ? (noTrunc ? n : Helpers.Ellipsis(n, 15)) : Helpers.S(m, "Source")).ToList();
        var row = new JsonObject
        {
            ["Command"] = Helpers.Quote(noTrunc ? command : Helpers.Ellipsis(command, 20)),
            ["CreatedAt"] = Helpers.GoTime(created),
            ["ID"] = noTrunc ? id : Helpers.ShortId(id),
            ["Image"] = image,
            ["Labels"] = string.Join(',', labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)),
            ["LocalVolumes"] = (c["Mounts"] as JsonArray ?? []).Count(m => Helpers.S(m, "Driver") == "local").ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mounts"] = string.Join(',', mounts),
            ["Names"] = string.Join(',', names),
            ["Networks"] = string.Join(',', networks),
            ["Platform"] = null,
            ["Ports"] = Ports(c["Ports"] as JsonArray ?? []),
            ["RunningFor"] = Units.HumanDuration(now - created) + " ago",
            ["Size"] = Size(c),
            ["State"] = Helpers.S(c, "State"),
            ["Status"] = Helpers.S(c, "Status"),
            ["Label"] = labels.DeepClone(),
        };
        return row;
    }

    private static string Size(JsonNode c)
    {
        if (c["SizeRw"] is null && c["SizeRootFs"] is null)
        {
            return "0B";
        }
        var rw = Units.HumanSizeWithPrecision(Helpers.L(c, "SizeRw"), 3);
        var virt = Units.HumanSizeWithPrecision(Helpers.L(c, "SizeRootFs"), 3);
        return Helpers.L(c, "SizeRootFs") > 0 ? $"{rw} (virtual {virt})" : rw;
    }

    /// <summary>"0.0.0.0:8080->80/tcp, 443/tcp" (docker's DisplayablePorts, without range folding).</summary>
    internal static string Ports(JsonArray ports)
    {
        var parts = new List<string>();
        foreach (var p in ports.OrderBy(p => Helpers.L(p, "PrivatePort")).ThenBy(p => Helpers.S(p, "IP"), StringComparer.Ordinal))
        {
            var priv = $"{Helpers.L(p, "PrivatePort")}/{Helpers.S(p, "Type")}";
            var pub = Helpers.L(p, "PublicPort");
            if (pub > 0)
            {
                var ip = Helpers.S(p, "IP");
                ip = ip.Contains(':', StringComparison.Ordinal) ? "[" + ip + "]" : ip;
                parts.Add($"{ip}:{pub}->{priv}");
            }
            else if (!parts.Contains(priv))
            {
                parts.Add(priv);
            }
        }
        return string.Join(", ", parts);
    }
}
