using System.Text.Json.Nodes;
using Quai.Cli.Api;

namespace Quai.Cli.Commands;

/// <summary>`diff`: GET /containers/{id}/changes, "C /etc" lines (Kind 0 C, 1 A, 2 D).</summary>
internal static class DiffCommand
{
    public static readonly Command Definition = new("container diff", "CONTAINER", "Inspect changes to files or directories on a container's filesystem",
        [], async (ctx, f) =>
        {
            var changes = await ctx.Client.GetJsonAsync($"/containers/{DockerClient.Esc(f.Args[0])}/changes").ConfigureAwait(false) as JsonArray ?? [];
            foreach (var c in changes)
            {
                var kind = Helpers.L(c, "Kind") switch { 0 => "C", 1 => "A", 2 => "D", _ => "?" };
                await ctx.Out.WriteLineAsync($"{kind} {Helpers.S(c, "Path")}").ConfigureAwait(false);
            }
            return 0;
        })
    { Aliases = ["diff"], MinArgs = 1, MaxArgs = 1 };
}
