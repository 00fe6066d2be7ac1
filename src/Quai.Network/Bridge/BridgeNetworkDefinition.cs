using System.Net;
using Quai.Network.Ipam;

namespace Quai.Network.Bridge;

/// <summary>
/// A docker-style bridge network as the engine records it (<c>docker network create -d bridge</c>):
/// name, Linux bridge interface, IPv4 subnet, gateway, ip-range, internal, MTU.
/// </summary>
public sealed record BridgeNetworkDefinition
{
    /// <summary>The network's name; also the CNI network name and the IPAM directory name.</summary>
    public required string Name { get; init; }

    /// <summary>The Linux bridge interface (at most 15 characters), e.g. quai0 or br-1a2b3c4d5e6f.</summary>
    public required string BridgeName { get; init; }

    /// <summary>The IPv4 subnet (<c>--subnet</c>).</summary>
    public required Ipv4Network Subnet { get; init; }

    /// <summary>The gateway (<c>--gateway</c>); the subnet's first host when null, as docker does.</summary>
    public IPAddress? Gateway { get; init; }

    /// <summary>The sub-range containers' addresses come from (<c>--ip-range</c>); the whole subnet when null.</summary>
    public Ipv4Network? IpRange { get; init; }

    /// <summary><c>--internal</c>: no default route, no masquerade, no traffic to or from other interfaces.</summary>
    public bool Internal { get; init; }

    /// <summary>MTU of the bridge and veths (<c>com.docker.network.driver.mtu</c>); the kernel default when null.</summary>
    public int? Mtu { get; init; }

    /// <summary>Masquerade outbound traffic (<c>com.docker.network.bridge.enable_ip_masquerade</c>); forced off for internal networks.</summary>
    public bool IpMasquerade { get; init; } = true;

    /// <summary>The effective gateway.</summary>
    public IPAddress EffectiveGateway => Gateway ?? Subnet.FirstHost;

    /// <summary>Throws with a clear message when the definition is inconsistent.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"invalid network name '{Name}'");
        }
        if (BridgeName.Length is 0 or > 15 || BridgeName.Any(c => c is '/' or ' ' or ':' || char.IsWhiteSpace(c)))
        {
            throw new ArgumentException($"invalid bridge interface name '{BridgeName}' for network {Name}: 1-15 characters, no '/', ':' or spaces");
        }
        if (Subnet.PrefixLength > 30)
        {
            throw new ArgumentException($"subnet {Subnet} of network {Name} is too small: use a prefix of /30 or shorter");
        }
        if (!Subnet.Contains(EffectiveGateway))
        {
            throw new ArgumentException($"no matching subnet for gateway {EffectiveGateway} in network {Name} (subnet {Subnet})");
        }
        if (IpRange is { } range && !Subnet.Contains(range))
        {
            throw new ArgumentException($"ip-range {range} of network {Name} is not inside its subnet {Subnet}");
        }
        if (Mtu is < 68 or > 65535)
        {
            throw new ArgumentException($"invalid MTU {Mtu} for network {Name}: 68-65535");
        }
    }
}
