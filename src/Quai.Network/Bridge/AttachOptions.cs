using System.Net;
using Quai.Network.Ports;

namespace Quai.Network.Bridge;

/// <summary>Per-container choices for joining a network (docker run --ip, --network-alias, -p, --mac-address).</summary>
public sealed record AttachOptions
{
    /// <summary>The container's interface name inside its netns.</summary>
    public string InterfaceName { get; init; } = "eth0";

    /// <summary>A specific IPv4 address (<c>--ip</c>); host-local's CNI_ARGS IP.</summary>
    public IPAddress? IpAddress { get; init; }

    /// <summary>A specific MAC address (<c>--mac-address</c>); the bridge plugin's CNI_ARGS MAC.</summary>
    public string? MacAddress { get; init; }

    /// <summary>Network aliases; the engine answers them through the DNS resolver callback.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Published ports, host ports already chosen (see <see cref="Ports.PortAllocator"/>).</summary>
    public IReadOnlyList<PortMapping> PortMappings { get; init; } = [];
}
