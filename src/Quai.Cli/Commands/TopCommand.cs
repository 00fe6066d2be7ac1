using System.Text;
using System.Text.Json.Nodes;
using Quai.Cli.Api;
using Quai.Cli.Formatting;

namespace Quai.Cli.Commands;

/// <summary>`top`: GET /containers/{id}/top?ps_args=, printed as a tabwriter table (minwidth 20, padding 1).</summary>
internal static class TopCommand
{
    public static readonly Command Definition = new("container top", "CONTAINER [ps OPTIONS]", "Display the running processes of a container",
        [], async (ctx, f) =>
        {
            var args = f.Args.Count > 1 ? Helpers.Query(("ps_args", string.Join(' ', f.Args.Skip(1)))) : "";
            var r = await ctx.Client.GetJsonAsync($"/containers/{DockerClient.Esc(f.Args[0])}/top{args}").ConfigureAwait(false);
            var tw = new TabWriter(20, 1);
            var sb = new StringBuilder();
            sb.Append(string.Join('\t', (r?["Titles"] as JsonArray ?? []).Select(t => t!.GetValue<string>()))).Append('\n');
            foreach (var p in r?["Processes"] as JsonArray ?? [])
            {
                sb.Append(string.Join('\t', (p as JsonArray ?? []).Select(t => t!.GetValue<string>()))).Append('\n');
            }
            tw.Write(sb.ToString());
            await ctx.Out.WriteAsync(tw.Flush()).ConfigureAwait(false);
            return 0;
        })
    { Aliases = ["top"], MinArgs = 1, Interspersed = false };
}
