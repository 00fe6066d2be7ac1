using System.Text.Json.Nodes;
using Quai.Cli.Formatting;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`images` / `image ls`: GET /images/json, one row per tag as docker's image formatter.</summary>
internal static class ImagesCommand
{
    private static readonly Dictionary<string, string> Headers = new()
    {
        ["Repository"] = "REPOSITORY",
        ["Tag"] = "TAG",
        ["ID"] = "IMAGE ID",
        ["Digest"] = "DIGEST",
        ["CreatedSince"] = "CREATED",
        ["CreatedAt"] = "CREATED AT",
        ["Size"] = "SIZE",
        ["Containers"] = "CONTAINERS",
        ["SharedSize"] = "SHARED SIZE",
        ["UniqueSize"] = "UNIQUE SIZE",
        ["VirtualSize"] = "VIRTUAL SIZE",
    };

    public static readonly Command Definition = new("image ls", "[OPTIONS] [REPOSITORY[:TAG]]", "List images",
        [
            Flag.Bool("all", 'a', "Show all images (default hides intermediate images)"),
            Flag.Bool("digests", '\0', "Show digests"),
            Flag.List("filter", 'f', "Filter output based on conditions provided", "filter"),
            Flag.Str("format", '\0', "Format output using a custom template"),
            Flag.Bool("no-trunc", '\0', "Don't truncate output"),
            Flag.Bool("quiet", 'q', "Only show image IDs"),
        ], RunAsync)
    { Aliases = ["image list", "images"], MaxArgs = 1 };

    private static async Task<int> RunAsync(CliContext ctx, ParsedArgs f)
    {
        var extra = f.Args.Count == 1 ? new[] { ("reference", f.Args[0]) } : [];
        var query = Helpers.Query(("all", f.Bool("all") ? "1" : null), ("filters", Helpers.Filters(f.List("filter"), extra)));
        var list = await ctx.Client.GetJsonAsync("/images/json" + query).ConfigureAwait(false) as JsonArray ?? [];
        var noTrunc = f.Bool("no-trunc");
        var rows = list.SelectMany(i => Rows(i!, noTrunc, DateTimeOffset.UtcNow)).ToList();
        var format = f.Str("format");
        if (f.Bool("quiet") && format is null)
        {
            var seen = new HashSet<string>();
            foreach (var r in rows.Where(r => seen.Add(r["ID"]!.GetValue<string>())))
            {
                await ctx.Out.WriteLineAsync(r["ID"]!.GetValue<string>()).ConfigureAwait(false);
            }
            return 0;
        }
        format ??= f.Bool("digests")
            ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
            : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
        Helpers.PrintRows(ctx, format, rows, Headers);
        return 0;
    }

    /// <summary>The rows of one image: one per repo:tag, or one "&lt;none&gt;" row for an untagged image.</summary>
    internal static IEnumerable<JsonObject> Rows(JsonNode image, bool noTrunc, DateTimeOffset now)
    {
        var tags = (image["RepoTags"] as JsonArray ?? []).Select(t => t!.GetValue<string>()).Where(t => t != "<none>:<none>").ToList();
        var digests = (image["RepoDigests"] as JsonArray ?? []).Select(t => t!.GetValue<string>()).Where(t => t != "<none>@<none>").ToList();
        var pairs = new List<(string Repo, string Tag, string Digest)>();
        foreach (var t in tags)
        {
            var colon = t.LastIndexOf(':');
            var repo = t[..colon];
            var digest = digests.FirstOrDefault(d => d.StartsWith(repo + "@", StringComparison.Ordinal));
            pairs.Add((repo, t[(colon + 1)..], digest is null ? "<none>" : digest[(digest.IndexOf('@', StringComparison.Ordinal) + 1)..]));
        }
        if (pairs.Count == 0)
        {
            var d = digests.FirstOrDefault();
            pairs.Add((d is null ? "<none>" : d[..d.IndexOf('@', StringComparison.Ordinal)], "<none>", d is null ? "<none>" : d[(d.IndexOf('@', StringComparison.Ordinal) + 1)..]));
        }
        var id = Helpers.S(image, "Id");
        var created = Helpers.FromUnix(Helpers.L(image, "Created"));
        var size = Helpers.L(image, "Size");
        var virtualSize = image["VirtualSize"] is null ? size : Helpers.L(image, "VirtualSize");
        foreach (var (repo, tag, digest) in pairs)
        {
            yield return new JsonObject
            {
                ["Containers"] = Helpers.L(image, "Containers") is var n && n >= 0 && image["Containers"] is not null ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "N/A",
                ["CreatedAt"] = Helpers.GoTime(created),
                ["CreatedSince"] = Units.HumanDuration(now - created) + " ago",
                ["Digest"] = digest,
                ["ID"] = noTrunc ? id : Helpers.ShortId(id),
                ["Repository"] = repo,
                ["SharedSize"] = Helpers.L(image, "SharedSize") is var s && s >= 0 && image["SharedSize"] is not null ? Units.HumanSizeWithPrecision(s, 3) : "N/A",
                ["Size"] = Units.HumanSizeWithPrecision(size, 3),
                ["Tag"] = tag,
                ["UniqueSize"] = "N/A",
                ["VirtualSize"] = Units.HumanSize(virtualSize),
            };
        }
    }
}
