using System.Text.Json.Nodes;
using Quai.Network.Ipam;

namespace Quai.Network.Bridge;

/// <summary>
/// Builds the CNI conflist of one attachment to a docker-style bridge network: bridge (+ host-local
/// IPAM), then portmap (published ports, SNAT so 127.0.0.1:hostPort works from the host) when the
/// container publishes ports. Plugin parameters are those of containernetworking/plugins:
/// plugins/main/bridge, plugins/ipam/host-local, plugins/meta/portmap.
/// </summary>
/// <remarks>
/// What docker keeps per network stays per network here, in <see cref="BridgeFirewall"/>: the
/// subnet's MASQUERADE rule (so the bridge plugin runs with ipMasq off) and the FORWARD accepts
/// (instead of the firewall plugin's per-container ACCEPTs in CNI-FORWARD). Per container that
/// leaves only what is per container: the veth, the address and the published ports. Each
/// per-container iptables chain the plugins made cost 20-40 ms of iptables runs on ADD and again
/// on DEL, several times a `run --rm` without networking.
/// </remarks>
public static class BridgeNetworkConfig
{
    /// <summary>The CNI spec version the conflist declares.</summary>
    public const string CniVersion = "1.0.0";

    /// <summary>
    /// The conflist JSON for an attachment to <paramref name="definition"/>, with host-local leases
    /// under <paramref name="ipamDataDirectory"/>; portmap is in the chain when <paramref name="publishesPorts"/>.
    /// </summary>
    public static string Build(BridgeNetworkDefinition definition, string ipamDataDirectory, bool publishesPorts = true)
    {
        ArgumentNullException.ThrowIfNull(definition);
        definition.Validate();
        var range = new JsonObject
        {
            ["subnet"] = definition.Subnet.ToString(),
            ["gateway"] = definition.EffectiveGateway.ToString(),
        };
        if (definition.IpRange is { } ipRange)
        {
            // host-local hands out rangeStart..rangeEnd, skipping the gateway; keep the subnet's
            // network and broadcast addresses out as docker does.
            var first = Math.Max(ipRange.Network, definition.Subnet.Network + 1);
            var last = Math.Min(ipRange.Last, definition.Subnet.Last - 1);
            range["rangeStart"] = Ipv4Network.ToAddress(first).ToString();
            range["rangeEnd"] = Ipv4Network.ToAddress(last).ToString();
        }
        var ipam = new JsonObject
        {
            ["type"] = "host-local",
            ["dataDir"] = ipamDataDirectory,
            ["ranges"] = new JsonArray(new JsonArray(range)),
        };
        if (!definition.Internal)
        {
            // The default route via the gateway; an internal network has none (docker --internal).
            ipam["routes"] = new JsonArray(new JsonObject { ["dst"] = "0.0.0.0/0" });
        }
        var bridge = new JsonObject
        {
            ["type"] = "bridge",
            ["bridge"] = definition.BridgeName,
            // The bridge holds the gateway address even on internal networks, as docker's does.
            ["isGateway"] = true,
            // The subnet's one MASQUERADE rule is the network's (BridgeFirewall), as docker's.
            ["ipMasq"] = false,
            ["hairpinMode"] = true,
            ["ipam"] = ipam,
        };
        if (definition.Mtu is { } mtu)
        {
            bridge["mtu"] = mtu;
        }
        var plugins = new JsonArray(bridge);
        if (publishesPorts && !definition.Internal)
        {
            plugins.Add((JsonNode)new JsonObject
            {
                ["type"] = "portmap",
                ["capabilities"] = new JsonObject { ["portMappings"] = true },
                // snat: masquerade hairpin and localhost traffic so 127.0.0.1:hostPort reaches the
                // container (the plugin sets route_localnet on the bridge).
                ["snat"] = true,
            });
        }
        var root = new JsonObject
        {
            ["cniVersion"] = CniVersion,
            ["name"] = definition.Name,
            ["plugins"] = plugins,
        };
        return root.ToJsonString();
    }
}
