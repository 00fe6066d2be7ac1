namespace Quai.Network.Ports;

/// <summary>
/// One requested publication before host ports are chosen: container port and protocol, host
/// address ("" = all) and host port range (0-0 = ephemeral; a range = pick one from it).
/// </summary>
public sealed record PublishedPort(int ContainerPort, string Protocol, string HostIp, int HostPortStart, int HostPortEnd)
{
    /// <summary>docker's key for the container side, e.g. "80/tcp".</summary>
    public string PortKey => $"{ContainerPort}/{Protocol}";

    /// <summary>True when the host port is left to the allocator.</summary>
    public bool IsEphemeral => HostPortStart == 0;

    /// <summary>The host port as docker's API writes it: "", "8080" or "8000-8010".</summary>
    public string HostPortText => HostPortStart == 0 ? "" : HostPortStart == HostPortEnd ? $"{HostPortStart}" : $"{HostPortStart}-{HostPortEnd}";
}

/// <summary>A docker API PortBinding: <c>{"HostIp":"","HostPort":"8080"}</c>.</summary>
public sealed record PortBinding(string HostIp, string HostPort);
