namespace Quai.Network.Ports;

/// <summary>
/// One published port, resolved: host address ("" = all, docker's 0.0.0.0), host port, container
/// port and protocol (tcp, udp or sctp). What the portmap plugin receives as a portMappings entry.
/// </summary>
public sealed record PortMapping(string HostIp, int HostPort, int ContainerPort, string Protocol = "tcp")
{
    /// <summary>The host address as docker shows it: 0.0.0.0 when unset.</summary>
    public string DisplayHostIp => string.IsNullOrEmpty(HostIp) ? "0.0.0.0" : HostIp;

    /// <summary>True when the port is also published on [::] (all addresses on a host with IPv6), relayed by the daemon as docker-proxy does.</summary>
    public bool Ipv6 { get; init; }

    /// <summary>docker's key for the container side, e.g. "80/tcp".</summary>
    public string PortKey => $"{ContainerPort}/{Protocol}";
}
