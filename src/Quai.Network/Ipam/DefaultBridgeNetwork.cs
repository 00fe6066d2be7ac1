using Quai.Network.Bridge;

namespace Quai.Network.Ipam;

/// <summary>
/// The default "bridge" network: its own bridge interface <c>quai0</c> (never docker0) and
/// subnet, configurable like dockerd's <c>bip</c> ("gateway/prefix"). 172.30.0.1/16 by default:
/// not Docker's 172.17.0.0/16, so both daemons can run on one host.
/// </summary>
public static class DefaultBridgeNetwork
{
    /// <summary>The network's name, as docker's.</summary>
    public const string Name = "bridge";

    /// <summary>The Linux bridge interface.</summary>
    public const string BridgeName = "quai0";

    /// <summary>The default bip.</summary>
    public const string DefaultBip = "172.30.0.1/16";

    /// <summary>The definition for a bip ("172.30.0.1/16": gateway 172.30.0.1 in 172.30.0.0/16).</summary>
    public static BridgeNetworkDefinition Create(string? bip = null, int? mtu = null, string bridgeName = BridgeName)
    {
        bip ??= DefaultBip;
        var slash = bip.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !System.Net.IPAddress.TryParse(bip[..slash], out var gateway))
        {
            throw new FormatException($"invalid bip '{bip}': expected gateway/prefix, e.g. {DefaultBip}");
        }
        return new BridgeNetworkDefinition
        {
            Name = Name,
            BridgeName = bridgeName,
            Subnet = Ipv4Network.Parse(bip),
            Gateway = gateway,
            Mtu = mtu,
        };
    }
}
