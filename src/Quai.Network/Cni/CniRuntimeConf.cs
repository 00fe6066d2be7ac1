using System.Text.Json.Nodes;

namespace Quai.Network.Cni;

/// <summary>
/// Per-attachment parameters of a CNI call: CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS and the
/// runtimeConfig capability args (CONVENTIONS.md: portMappings, ips, mac, ...).
/// </summary>
public sealed record CniRuntimeConf
{
    /// <summary>CNI_CONTAINERID.</summary>
    public required string ContainerId { get; init; }

    /// <summary>CNI_NETNS: path of the network namespace (may be missing on DEL).</summary>
    public required string NetnsPath { get; init; }

    /// <summary>CNI_IFNAME, e.g. eth0.</summary>
    public string IfName { get; init; } = "eth0";

    /// <summary>CNI_ARGS key=value pairs (IgnoreUnknown=1 is added when any are present).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Args { get; init; } = [];

    /// <summary>Capability args by capability name; only plugins declaring the capability receive them.</summary>
    public IReadOnlyDictionary<string, JsonNode> CapabilityArgs { get; init; } = new Dictionary<string, JsonNode>();

    /// <summary>The CNI_ARGS string ("IgnoreUnknown=1;K=V;..."), or empty.</summary>
    public string FormatArgs()
    {
        if (Args.Count == 0)
        {
            return "";
        }
        // IgnoreUnknown lets plugins that do not know a key (portmap, firewall) accept the call.
        return string.Join(';', new[] { "IgnoreUnknown=1" }.Concat(Args.Select(a => $"{a.Key}={a.Value}")));
    }
}
