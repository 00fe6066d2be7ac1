using System.Text;
using System.Text.Json.Nodes;
using Quai.Cli.Formatting;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`info` / `system info`: GET /info in docker's layout (the commonly read lines), or `--format`.</summary>
internal static class InfoCommand
{
    public static readonly Command Definition = new("system info", "[OPTIONS]", "Display system-wide information",
        [Flag.Str("format", 'f', "Format output using a custom template")], RunAsync)
    { Aliases = ["info"], MaxArgs = 0 };

    private static async Task<int> RunAsync(CliContext ctx, ParsedArgs f)
    {
        if (f.Str("format") is { } format)
        {
            var data = await ctx.Client.GetJsonAsync("/info").ConfigureAwait(false);
            await ctx.Out.WriteLineAsync(GoTemplate.Parse(format).Execute(data)).ConfigureAwait(false);
            return 0;
        }
        var sb = new StringBuilder();
        sb.Append("Client:\n Version:    ").Append(CliInfo.Version).Append("\n Context:    default\n Debug Mode: false\n\nServer:\n");
        JsonNode? i;
        try
        {
            i = await ctx.Client.GetJsonAsync("/info").ConfigureAwait(false);
        }
        catch (Api.DaemonUnreachableException e)
        {
            await ctx.Out.WriteAsync(sb.ToString()).ConfigureAwait(false);
            await ctx.Err.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 1;
        }
        void Line(string label, object? value) => sb.Append(' ').Append(label).Append(": ").Append(value).Append('\n');
        Line("Containers", Helpers.L(i, "Containers"));
        sb.Append("  Running: ").Append(Helpers.L(i, "ContainersRunning")).Append('\n');
        sb.Append("  Paused: ").Append(Helpers.L(i, "ContainersPaused")).Append('\n');
        sb.Append("  Stopped: ").Append(Helpers.L(i, "ContainersStopped")).Append('\n');
        Line("Images", Helpers.L(i, "Images"));
        Line("Server Version", Helpers.S(i, "ServerVersion"));
        Line("Storage Driver", Helpers.S(i, "Driver"));
        foreach (var pair in i?["DriverStatus"] as JsonArray ?? [])
        {
            sb.Append("  ").Append(pair?[0]).Append(": ").Append(pair?[1]).Append('\n');
        }
        Line("Logging Driver", Helpers.S(i, "LoggingDriver"));
        Line("Cgroup Driver", Helpers.S(i, "CgroupDriver"));
        Line("Cgroup Version", Helpers.S(i, "CgroupVersion"));
        if (i?["Plugins"] is JsonObject plugins)
        {
            sb.Append(" Plugins:\n");
            foreach (var kind in new[] { "Volume", "Network", "Authorization", "Log" })
            {
                if (plugins[kind] is JsonArray { Count: > 0 } names)
                {
                    sb.Append("  ").Append(kind).Append(": ").AppendJoin(' ', names.Select(n => n?.ToString())).Append('\n');
                }
            }
        }
        Line("Swarm", Helpers.S(i?["Swarm"], "LocalNodeState") is { Length: > 0 } swarm ? swarm : "inactive");
        if (i?["Runtimes"] is JsonObject runtimes)
        {
            Line("Runtimes", string.Join(' ', runtimes.Select(kv => kv.Key)));
        }
        Line("Default Runtime", Helpers.S(i, "DefaultRuntime"));
        Line("Init Binary", Helpers.S(i, "InitBinary"));
        Line("containerd version", Helpers.S(i?["ContainerdCommit"], "ID"));
        Line("runc version", Helpers.S(i?["RuncCommit"], "ID"));
        Line("init version", Helpers.S(i?["InitCommit"], "ID"));
        if (i?["SecurityOptions"] is JsonArray { Count: > 0 } security)
        {
            // "name=seccomp,profile=builtin" → "seccomp" with "Profile: builtin" under it, as docker prints.
            sb.Append(" Security Options:\n");
            foreach (var option in security)
            {
                foreach (var kv in (option?.ToString() ?? "").Split(','))
                {
                    var (key, value) = kv.IndexOf('=') is var eq and > 0 ? (kv[..eq], kv[(eq + 1)..]) : (kv, "");
                    if (key == "name")
                    {
                        sb.Append("  ").Append(value).Append('\n');
                    }
                    else
                    {
                        sb.Append("   ").Append(char.ToUpperInvariant(key[0])).Append(key[1..]).Append(": ").Append(value).Append('\n');
                    }
                }
            }
        }
        Line("Kernel Version", Helpers.S(i, "KernelVersion"));
        Line("Operating System", Helpers.S(i, "OperatingSystem"));
        Line("OSType", Helpers.S(i, "OSType"));
        Line("Architecture", Helpers.S(i, "Architecture"));
        Line("CPUs", Helpers.L(i, "NCPU"));
        Line("Total Memory", Units.BytesSize(Helpers.L(i, "MemTotal")));
        Line("Name", Helpers.S(i, "Name"));
        Line("ID", Helpers.S(i, "ID"));
        Line("Docker Root Dir", Helpers.S(i, "DockerRootDir"));
        Line("Debug Mode", i?["Debug"]?.ToString() ?? "false");
        Line("Experimental", i?["ExperimentalBuild"]?.ToString() ?? "false");
        if (i?["RegistryConfig"]?["InsecureRegistryCIDRs"] is JsonArray { Count: > 0 } insecure)
        {
            sb.Append(" Insecure Registries:\n");
            foreach (var cidr in insecure)
            {
                sb.Append("  ").Append(cidr).Append('\n');
            }
        }
        if (i?["RegistryConfig"]?["Mirrors"] is JsonArray { Count: > 0 } mirrors)
        {
            sb.Append(" Registry Mirrors:\n");
            foreach (var m in mirrors)
            {
                sb.Append("  ").Append(m).Append('\n');
            }
        }
        Line("Live Restore Enabled", i?["LiveRestoreEnabled"]?.ToString() ?? "false");
        sb.Append('\n');
        await ctx.Out.WriteAsync(sb.ToString()).ConfigureAwait(false);
        foreach (var w in i?["Warnings"] as JsonArray ?? [])
        {
            await ctx.Err.WriteLineAsync(w?.ToString()).ConfigureAwait(false);
        }
        return 0;
    }
}
