using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Quai.Cli.Api;
using Quai.Cli.Formatting;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`version`: client and server sections laid out as docker's (tabwriter minwidth 20, padding 1), or `--format`.</summary>
internal static class VersionCommand
{
    public static readonly Command Definition = new("version", "[OPTIONS]", "Show the Docker version information",
        [Flag.Str("format", 'f', "Format output using a custom template")], RunAsync)
    { MaxArgs = 0 };

    private static async Task<int> RunAsync(CliContext ctx, ParsedArgs f)
    {
        JsonNode? server = null;
        Exception? serverError = null;
        try
        {
            server = await ctx.Client.GetJsonAsync("/version").ConfigureAwait(false);
        }
        catch (Exception e) when (e is DaemonUnreachableException or DockerApiException)
        {
            serverError = e;
        }
        var client = new JsonObject
        {
            ["Platform"] = new JsonObject { ["Name"] = "" },
            ["Version"] = CliInfo.Version,
            ["APIVersion"] = ctx.Client.Version ?? ApiVersion.Client,
            ["DefaultAPIVersion"] = ApiVersion.Client,
            ["GoVersion"] = RuntimeInformation.FrameworkDescription,
            ["GitCommit"] = "",
            ["BuildTime"] = "",
            ["Os"] = "linux",
            ["Arch"] = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "amd64",
            ["Context"] = "default",
        };
        if (f.Str("format") is { } format)
        {
            // Go field names of docker's types.Version, which the templates use (APIVersion, not the JSON's ApiVersion).
            var serverData = server?.DeepClone() as JsonObject;
            if (serverData is not null)
            {
                serverData["APIVersion"] = serverData["ApiVersion"]?.DeepClone();
                serverData["MinAPIVersion"] = serverData["MinAPIVersion"]?.DeepClone();
            }
            var data = new JsonObject { ["Client"] = client, ["Server"] = serverData };
            await ctx.Out.WriteLineAsync(GoTemplate.Parse(format).Execute(data)).ConfigureAwait(false);
        }
        else
        {
            await ctx.Out.WriteAsync(Render(client, server)).ConfigureAwait(false);
        }
        if (serverError is not null)
        {
            var prefix = serverError is DockerApiException ? "Error response from daemon: " : "";
            await ctx.Err.WriteLineAsync(prefix + serverError.Message).ConfigureAwait(false);
            return 1;
        }
        return 0;
    }

    /// <summary>The default (non-template) text.</summary>
    internal static string Render(JsonObject client, JsonNode? server)
    {
        var sb = new StringBuilder();
        var apiVersion = Helpers.S(client, "APIVersion");
        var defaultApi = Helpers.S(client, "DefaultAPIVersion");
        sb.Append("Client:\n");
        sb.Append(" Version:\t").Append(Helpers.S(client, "Version")).Append('\n');
        sb.Append(" API version:\t").Append(apiVersion).Append(apiVersion != defaultApi ? $" (downgraded from {defaultApi})" : "").Append('\n');
        sb.Append(" .NET version:\t").Append(Helpers.S(client, "GoVersion")).Append('\n');
        sb.Append(" OS/Arch:\t").Append(Helpers.S(client, "Os")).Append('/').Append(Helpers.S(client, "Arch")).Append('\n');
        sb.Append(" Context:\t").Append(Helpers.S(client, "Context")).Append('\n');
        if (server is not null)
        {
            var platform = Helpers.S(server["Platform"], "Name");
            sb.Append("\nServer:").Append(platform.Length > 0 ? " " + platform : "").Append('\n');
            foreach (var component in server["Components"] as JsonArray ?? [])
            {
                var name = Helpers.S(component, "Name");
                var details = component?["Details"] as JsonObject ?? [];
                sb.Append(' ').Append(name).Append(":\n");
                if (name == "Engine")
                {
                    sb.Append("  Version:\t").Append(Helpers.S(component, "Version")).Append('\n');
                    sb.Append("  API version:\t").Append(Helpers.S(details, "ApiVersion")).Append(" (minimum version ").Append(Helpers.S(details, "MinAPIVersion")).Append(")\n");
                    sb.Append("  Go version:\t").Append(Helpers.S(details, "GoVersion")).Append('\n');
                    sb.Append("  Git commit:\t").Append(Helpers.S(details, "GitCommit")).Append('\n');
                    sb.Append("  Built:\t").Append(Ansic(Helpers.S(details, "BuildTime"))).Append('\n');
                    sb.Append("  OS/Arch:\t").Append(Helpers.S(details, "Os")).Append('/').Append(Helpers.S(details, "Arch")).Append('\n');
                    sb.Append("  Experimental:\t").Append(Helpers.S(details, "Experimental")).Append('\n');
                }
                else
                {
                    sb.Append("  Version:\t").Append(Helpers.S(component, "Version")).Append('\n');
                    foreach (var (k, v) in details.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    {
                        sb.Append("  ").Append(k).Append(":\t").Append(v?.GetValue<string>() ?? "").Append('\n');
                    }
                }
            }
        }
        var tw = new TabWriter(20, 1);
        tw.Write(sb.ToString());
        return tw.Flush();
    }

    // docker shows the engine's build time in Go's time.ANSIC layout ("Thu May  7 21:09:36 2026").
    private static string Ansic(string rfc3339)
    {
        if (!DateTimeOffset.TryParse(rfc3339, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            return rfc3339;
        }
        var local = t.ToLocalTime();
        return local.ToString("ddd MMM ", CultureInfo.InvariantCulture) + local.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2) + local.ToString(" HH:mm:ss yyyy", CultureInfo.InvariantCulture);
    }
}
