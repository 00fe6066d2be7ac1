using System.Text.Json.Nodes;
using Quai.Cli.Formatting;

namespace Quai.Cli.Commands;

/// <summary>The prune verbs' confirmation prompt and their "Deleted ...: / Total reclaimed space:" report.</summary>
internal static class Prompt
{
    /// <summary>Prints the warning and "Are you sure you want to continue? [y/N] "; true on y/yes.</summary>
    public static async Task<bool> ConfirmAsync(CliContext ctx, string warning)
    {
        await ctx.Out.WriteAsync(warning + "\nAre you sure you want to continue? [y/N] ").ConfigureAwait(false);
        using var reader = new StreamReader(ctx.StdIn, leaveOpen: true);
        var answer = (await reader.ReadLineAsync().ConfigureAwait(false) ?? "").Trim().ToLowerInvariant();
        if (answer is "y" or "yes")
        {
            return true;
        }
        throw new CliException("", 1);
    }

    /// <summary>docker's prune report.</summary>
    public static async Task PrintPrunedAsync(CliContext ctx, string title, JsonArray? deleted, long reclaimed)
    {
        if (deleted is { Count: > 0 })
        {
            await ctx.Out.WriteLineAsync(title).ConfigureAwait(false);
            foreach (var d in deleted)
            {
                await ctx.Out.WriteLineAsync(d is JsonObject o ? string.Join('\n', o.Select(kv => kv.Key + ": " + kv.Value)) : d?.GetValue<string>()).ConfigureAwait(false);
            }
            await ctx.Out.WriteLineAsync().ConfigureAwait(false);
        }
        await ctx.Out.WriteLineAsync("Total reclaimed space: " + Units.HumanSize(reclaimed)).ConfigureAwait(false);
    }
}
