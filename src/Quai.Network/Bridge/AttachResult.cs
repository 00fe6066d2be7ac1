using System.Net;
using Quai.Network.Cni;

namespace Quai.Network.Bridge;

/// <summary>What a container got on a network: address/prefix, gateway, MAC, interface (docker's EndpointSettings).</summary>
public sealed record AttachResult(
    IPAddress IpAddress,
    int PrefixLength,
    IPAddress? Gateway,
    string? MacAddress,
    string InterfaceName,
    CniResult CniResult);
