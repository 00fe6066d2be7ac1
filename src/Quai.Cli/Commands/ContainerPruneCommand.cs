using System.Text.Json.Nodes;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`container prune`: POST /containers/prune after docker's confirmation prompt.</summary>
internal static class ContainerPruneCommand
{
    public static readonly Command Definition = new("container prune", "[OPTIONS]", "Remove all stopped containers",
        [
            Flag.List("filter", '\0', "Provide filter values (e.g. \"until=<timestamp>\")", "filter"),
            Flag.Bool("force", 'f', "Do not prompt for confirmation"),
        ], async (ctx, f) =>
        {
            if (!f.Bool("force") && !await Prompt.ConfirmAsync(ctx, "WARNING! This will remove all stopped containers.").ConfigureAwait(false))
            {
                return 0;
            }
            var r = await ctx.Client.PostJsonAsync("/containers/prune" + Helpers.Query(("filters", Helpers.Filters(f.List("filter"))))).ConfigureAwait(false);
            await Prompt.PrintPrunedAsync(ctx, "Deleted Containers:", r?["ContainersDeleted"] as JsonArray, Helpers.L(r, "SpaceReclaimed")).ConfigureAwait(false);
            return 0;
        })
    { MaxArgs = 0 };
}
