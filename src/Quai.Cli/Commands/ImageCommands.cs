using System.Text.Json.Nodes;
using Quai.Cli.Api;
using Quai.Cli.Formatting;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`push`, `tag`, `rmi`, `history` and `image prune`.</summary>
internal static class ImageCommands
{
    public static readonly Command Push = new("image push", "[OPTIONS] NAME[:TAG]", "Upload an image to a registry",
        [
            Flag.Bool("all-tags", 'a', "Push all tags of an image to the repository"),
            Flag.Str("platform", '\0', "Push a platform-specific manifest as a single-platform image to the registry"),
            Flag.Bool("quiet", 'q', "Suppress verbose output"),
            Flag.Bool("disable-content-trust", '\0', "Skip image signing (default true)"),
        ], async (ctx, f) =>
        {
            var name = ImageName.Parse(f.Args[0], defaultTag: !f.Bool("all-tags"));
            if (!f.Bool("all-tags") && !f.Args[0].Contains(':', StringComparison.Ordinal))
            {
                await ctx.Out.WriteLineAsync("Using default tag: latest").ConfigureAwait(false);
            }
            var query = Helpers.Query(("tag", name.Tag), ("platform", f.Str("platform")));
            using var response = await ctx.Client.SendAsync(HttpMethod.Post, $"/images/{name.Name}/push{query}", streaming: true,
                headers: [new("X-Registry-Auth", AuthConfig.Header(ctx.ConfigDir, name.Registry))]).ConfigureAwait(false);
            await using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            var quiet = f.Bool("quiet");
            var renderer = new JsonMessageRenderer(quiet ? TextWriter.Null : ctx.Out, ctx.StdoutIsTerminal, Terminal.RawTerminal.Size(1)?.Cols ?? 0);
            await renderer.RenderAsync(body).ConfigureAwait(false);
            if (quiet)
            {
                await ctx.Out.WriteLineAsync(name.ToString()).ConfigureAwait(false);
            }
            return 0;
        })
    { Aliases = ["push"], MinArgs = 1, MaxArgs = 1 };

    public static readonly Command Tag = new("image tag", "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
        [], async (ctx, f) =>
        {
            var target = ImageName.Parse(f.Args[1]);
            await ctx.Client.PostJsonAsync($"/images/{f.Args[0]}/tag" + Helpers.Query(("repo", target.Name), ("tag", target.Tag))).ConfigureAwait(false);
            return 0;
        })
    { Aliases = ["tag"], MinArgs = 2, MaxArgs = 2 };

    public static readonly Command Rmi = new("image rm", "[OPTIONS] IMAGE [IMAGE...]", "Remove one or more images",
        [
            Flag.Bool("force", 'f', "Force removal of the image"),
            Flag.Bool("no-prune", '\0', "Do not delete untagged parents"),
        ], (ctx, f) => Helpers.ForEachAsync(ctx, f.Args, async image =>
        {
            var r = await ctx.Client.DeleteAsync($"/images/{image}" + Helpers.Query(("force", f.Bool("force") ? "1" : null), ("noprune", f.Bool("no-prune") ? "1" : null))).ConfigureAwait(false);
            foreach (var item in r as JsonArray ?? [])
            {
                foreach (var (k, v) in item as JsonObject ?? [])
                {
                    await ctx.Out.WriteLineAsync($"{k}: {v}").ConfigureAwait(false);
                }
            }
        }))
    { Aliases = ["image remove", "rmi"], MinArgs = 1 };

    public static readonly Command History = new("image history", "[OPTIONS] IMAGE", "Show the history of an image",
        [
            Flag.Str("format", '\0', "Format output using a custom template"),
            Flag.Bool("human", 'H', "Print sizes and dates in human readable format (default true)"),
            Flag.Bool("no-trunc", '\0', "Don't truncate output"),
            Flag.Bool("quiet", 'q', "Only show image IDs"),
        ], async (ctx, f) =>
        {
            var list = await ctx.Client.GetJsonAsync($"/images/{f.Args[0]}/history").ConfigureAwait(false) as JsonArray ?? [];
            var noTrunc = f.Bool("no-trunc");
            var now = DateTimeOffset.UtcNow;
            var rows = list.Select(h =>
            {
                var id = Helpers.S(h, "Id");
                var createdBy = Helpers.S(h, "CreatedBy").Replace("\t", " ", StringComparison.Ordinal);
                return new JsonObject
                {
                    ["ID"] = id.StartsWith("sha256:", StringComparison.Ordinal) ? (noTrunc ? id : Helpers.ShortId(id)) : id,
                    ["CreatedSince"] = Units.HumanDuration(now - Helpers.FromUnix(Helpers.L(h, "Created"))) + " ago",
                    ["CreatedAt"] = Helpers.FromUnix(Helpers.L(h, "Created")).ToString("yyyy-MM-ddTHH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture),
                    ["CreatedBy"] = noTrunc ? createdBy : Helpers.Ellipsis(createdBy, 45),
                    ["Size"] = Units.HumanSizeWithPrecision(Helpers.L(h, "Size"), 3),
                    ["Comment"] = Helpers.S(h, "Comment"),
                };
            });
            var format = f.Str("format") ?? (f.Bool("quiet") ? "{{.ID}}" : "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}");
            Helpers.PrintRows(ctx, format, rows, new Dictionary<string, string>
            {
                ["ID"] = "IMAGE",
                ["CreatedSince"] = "CREATED",
                ["CreatedAt"] = "CREATED AT",
                ["CreatedBy"] = "CREATED BY",
                ["Size"] = "SIZE",
                ["Comment"] = "COMMENT",
            });
            return 0;
        })
    { Aliases = ["history"], MinArgs = 1, MaxArgs = 1 };

    public static readonly Command Prune = new("image prune", "[OPTIONS]", "Remove unused images",
        [
            Flag.Bool("all", 'a', "Remove all unused images, not just dangling ones"),
            Flag.List("filter", '\0', "Provide filter values (e.g. \"until=<timestamp>\")", "filter"),
            Flag.Bool("force", 'f', "Do not prompt for confirmation"),
        ], async (ctx, f) =>
        {
            var warning = f.Bool("all")
                ? "WARNING! This will remove all images without at least one container associated to them."
                : "WARNING! This will remove all dangling images.";
            if (!f.Bool("force") && !await Prompt.ConfirmAsync(ctx, warning).ConfigureAwait(false))
            {
                return 0;
            }
            var extra = new[] { ("dangling", f.Bool("all") ? "false" : "true") };
            var r = await ctx.Client.PostJsonAsync("/images/prune" + Helpers.Query(("filters", Helpers.Filters(f.List("filter"), extra)))).ConfigureAwait(false);
            await Prompt.PrintPrunedAsync(ctx, "Deleted Images:", r?["ImagesDeleted"] as JsonArray, Helpers.L(r, "SpaceReclaimed")).ConfigureAwait(false);
            return 0;
        })
    { MaxArgs = 0 };
}
