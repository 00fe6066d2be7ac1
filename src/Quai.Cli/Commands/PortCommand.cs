using System.Text.Json.Nodes;
using Quai.Cli.Api;

namespace Quai.Cli.Commands;

/// <summary>`port`: NetworkSettings.Ports of the container, "80/tcp -> 0.0.0.0:8080" lines.</summary>
internal static class PortCommand
{
    public static readonly Command Definition = new("container port", "CONTAINER [PRIVATE_PORT[/PROTO]]", "List port mappings or a specific mapping for the container",
        [], async (ctx, f) =>
        {
            var info = await ctx.Client.GetJsonAsync($"/containers/{DockerClient.Esc(f.Args[0])}/json").ConfigureAwait(false);
            var ports = info?["NetworkSettings"]?["Ports"] as JsonObject ?? [];
            string? want = null;
            if (f.Args.Count > 1)
            {
                want = f.Args[1].Contains('/', StringComparison.Ordinal) ? f.Args[1] : f.Args[1] + "/tcp";
            }
            var lines = new List<string>();
            foreach (var (key, bindings) in ports.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                if (want is not null && key != want)
                {
                    continue;
                }
                foreach (var b in bindings as JsonArray ?? [])
                {
                    var ip = Helpers.S(b, "HostIp");
                    ip = ip.Contains(':', StringComparison.Ordinal) ? "[" + ip + "]" : ip;
                    var hp = Helpers.S(b, "HostPort");
                    lines.Add(want is null ? $"{key} -> {ip}:{hp}" : $"{ip}:{hp}");
                }
            }
            if (want is not null && lines.Count == 0)
            {
                throw new CliException($"Error: No public port '{want}' published for {f.Args[0]}");
            }
            foreach (var l in lines)
            {
                await ctx.Out.WriteLineAsync(l).ConfigureAwait(false);
            }
            return 0;
        })
    { Aliases = ["port"], MinArgs = 1, MaxArgs = 2 };
}
