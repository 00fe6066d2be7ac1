using System.Text.Json.Nodes;
using Quai.Cli.Api;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`network create|ls|rm|prune|connect|disconnect` (inspect is in <see cref="InspectCommand"/>).</summary>
internal static class NetworkCommands
{
    public static readonly Command Create = new("network create", "[OPTIONS] NETWORK", "Create a network",
        [
            Flag.Bool("attachable", '\0', "Enable manual container attachment"),
            Flag.Str("driver", 'd', "Driver to manage the Network", "string", "\"bridge\""),
            Flag.List("gateway", '\0', "IPv4 or IPv6 Gateway for the master subnet", "strings"),
            Flag.Bool("internal", '\0', "Restrict external access to the network"),
            Flag.List("ip-range", '\0', "Allocate container ip from a sub-range", "strings"),
            Flag.Bool("ipv6", '\0', "Enable or disable IPv6 networking"),
            Flag.List("label", '\0', "Set metadata on a network"),
            Flag.List("opt", 'o', "Set driver specific options", "map"),
            Flag.List("subnet", '\0', "Subnet in CIDR format that represents a network segment", "strings"),
        ], async (ctx, f) =>
        {
            var ipam = new JsonArray();
            var subnets = f.List("subnet");
            for (var i = 0; i < subnets.Count; i++)
            {
                var cfg = new JsonObject { ["Subnet"] = subnets[i] };
                if (i < f.List("gateway").Count)
                {
                    cfg["Gateway"] = f.List("gateway")[i];
                }
                if (i < f.List("ip-range").Count)
                {
                    cfg["IPRange"] = f.List("ip-range")[i];
                }
                ipam.Add((JsonNode?)cfg);
            }
            var body = new JsonObject
            {
                ["Name"] = f.Args[0],
                ["CheckDuplicate"] = true,
                ["Driver"] = f.Str("driver", "bridge"),
                ["Internal"] = f.Bool("internal"),
                ["Attachable"] = f.Bool("attachable"),
                ["EnableIPv6"] = f.Bool("ipv6"),
                ["IPAM"] = new JsonObject { ["Driver"] = "default", ["Config"] = ipam },
                ["Options"] = Map(f.List("opt")),
                ["Labels"] = Map(f.List("label")),
            };
            var r = await ctx.Client.PostJsonAsync("/networks/create", body).ConfigureAwait(false);
            await ctx.Out.WriteLineAsync(Helpers.S(r, "Id")).ConfigureAwait(false);
            return 0;
        })
    { MinArgs = 1, MaxArgs = 1 };

    public static readonly Command Ls = new("network ls", "[OPTIONS]", "List networks",
        [
            Flag.List("filter", 'f', "Provide filter values (e.g. \"driver=bridge\")", "filter"),
            Flag.Str("format", '\0', "Format output using a custom template"),
            Flag.Bool("no-trunc", '\0', "Do not truncate the output"),
            Flag.Bool("quiet", 'q', "Only display network IDs"),
        ], async (ctx, f) =>
        {
            var list = await ctx.Client.GetJsonAsync("/networks" + Helpers.Query(("filters", Helpers.Filters(f.List("filter"))))).ConfigureAwait(false) as JsonArray ?? [];
            var noTrunc = f.Bool("no-trunc");
            var rows = list.OrderBy(n => Helpers.S(n, "Name"), StringComparer.Ordinal).Select(n => new JsonObject
            {
                ["ID"] = noTrunc ? Helpers.S(n, "Id") : Helpers.ShortId(Helpers.S(n, "Id")),
                ["Name"] = Helpers.S(n, "Name"),
                ["Driver"] = Helpers.S(n, "Driver"),
                ["Scope"] = Helpers.S(n, "Scope"),
                ["IPv6"] = (n?["EnableIPv6"]?.GetValue<bool>() ?? false) ? "true" : "false",
                ["Internal"] = (n?["Internal"]?.GetValue<bool>() ?? false) ? "true" : "false",
                ["Labels"] = string.Join(',', (n?["Labels"] as JsonObject ?? []).Select(kv => kv.Key + "=" + kv.Value)),
                ["CreatedAt"] = Helpers.S(n, "Created"),
            });
            var format = f.Str("format") ?? (f.Bool("quiet") ? "{{.ID}}" : "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}");
            Helpers.PrintRows(ctx, format, rows, new Dictionary<string, string>
            {
                ["ID"] = "NETWORK ID",
                ["Name"] = "NAME",
                ["Driver"] = "DRIVER",
                ["Scope"] = "SCOPE",
                ["IPv6"] = "IPV6",
                ["Internal"] = "INTERNAL",
                ["Labels"] = "LABELS",
                ["CreatedAt"] = "CREATED AT",
            });
            return 0;
        })
    { Aliases = ["network list"], MaxArgs = 0 };

    public static readonly Command Rm = new("network rm", "NETWORK [NETWORK...]", "Remove one or more networks",
        [Flag.Bool("force", 'f', "Do not error if the network does not exist")],
        (ctx, f) => Helpers.ForEachAsync(ctx, f.Args, async n =>
        {
            try
            {
                await ctx.Client.DeleteAsync($"/networks/{DockerClient.Esc(n)}").ConfigureAwait(false);
            }
            catch (DockerApiException e) when (f.Bool("force") && e.Status == System.Net.HttpStatusCode.NotFound)
            {
                return;
            }
            await ctx.Out.WriteLineAsync(n).ConfigureAwait(false);
        }))
    { Aliases = ["network remove"], MinArgs = 1 };

    public static readonly Command Prune = new("network prune", "[OPTIONS]", "Remove all unused networks",
        [
            Flag.List("filter", '\0', "Provide filter values (e.g. \"until=<timestamp>\")", "filter"),
            Flag.Bool("force", 'f', "Do not prompt for confirmation"),
        ], async (ctx, f) =>
        {
            if (!f.Bool("force") && !await Prompt.ConfirmAsync(ctx, "WARNING! This will remove all custom networks not used by at least one container.").ConfigureAwait(false))
            {
                return 0;
            }
            var r = await ctx.Client.PostJsonAsync("/networks/prune" + Helpers.Query(("filters", Helpers.Filters(f.List("filter"))))).ConfigureAwait(false);
            if (r?["NetworksDeleted"] is JsonArray { Count: > 0 } deleted)
            {
                await ctx.Out.WriteLineAsync("Deleted Networks:").ConfigureAwait(false);
                foreach (var d in deleted)
                {
                    await ctx.Out.WriteLineAsync(d?.ToString()).ConfigureAwait(false);
                }
            }
            return 0;
        })
    { MaxArgs = 0 };

    public static readonly Command Connect = new("network connect", "[OPTIONS] NETWORK CONTAINER", "Connect a container to a network",
        [
            Flag.List("alias", '\0', "Add network-scoped alias for the container", "strings"),
            Flag.Str("ip", '\0', "IPv4 address (e.g., \"172.30.100.104\")"),
            Flag.Str("ip6", '\0', "IPv6 address (e.g., \"2001:db8::33\")"),
        ], async (ctx, f) =>
        {
            var endpoint = new JsonObject();
            if (f.List("alias").Count > 0)
            {
                endpoint["Aliases"] = new JsonArray([.. f.List("alias").Select(a => (JsonNode?)a)]);
            }
            if (f.Str("ip") is not null || f.Str("ip6") is not null)
            {
                endpoint["IPAMConfig"] = new JsonObject { ["IPv4Address"] = f.Str("ip", ""), ["IPv6Address"] = f.Str("ip6", "") };
            }
            var body = new JsonObject { ["Container"] = f.Args[1], ["EndpointConfig"] = endpoint };
            await ctx.Client.PostJsonAsync($"/networks/{DockerClient.Esc(f.Args[0])}/connect", body).ConfigureAwait(false);
            return 0;
        })
    { MinArgs = 2, MaxArgs = 2 };

    public static readonly Command Disconnect = new("network disconnect", "[OPTIONS] NETWORK CONTAINER", "Disconnect a container from a network",
        [Flag.Bool("force", 'f', "Force the container to disconnect from a network")], async (ctx, f) =>
        {
            var body = new JsonObject { ["Container"] = f.Args[1], ["Force"] = f.Bool("force") };
            await ctx.Client.PostJsonAsync($"/networks/{DockerClient.Esc(f.Args[0])}/disconnect", body).ConfigureAwait(false);
            return 0;
        })
    { MinArgs = 2, MaxArgs = 2 };

    private static JsonObject Map(IReadOnlyList<string> kvs)
    {
        var o = new JsonObject();
        foreach (var kv in kvs)
        {
            var eq = kv.IndexOf('=', StringComparison.Ordinal);
            o[eq < 0 ? kv : kv[..eq]] = eq < 0 ? "" : kv[(eq + 1)..];
        }
        return o;
    }
}
