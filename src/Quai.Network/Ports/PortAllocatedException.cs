namespace Quai.Network.Ports;

/// <summary>A host port is taken (docker: "Bind for 0.0.0.0:8080 failed: port is already allocated").</summary>
public sealed class PortAllocatedException : Exception
{
    public PortAllocatedException(string hostIp, string hostPort)
        : base($"Bind for {hostIp}:{hostPort} failed: port is already allocated")
    {
        HostIp = hostIp;
        HostPort = hostPort;
    }

    public PortAllocatedException()
        : this("0.0.0.0", "0")
    {
    }

    public PortAllocatedException(string message)
        : base(message)
    {
        HostIp = "0.0.0.0";
        HostPort = "0";
    }

    public PortAllocatedException(string message, Exception innerException)
        : base(message, innerException)
    {
        HostIp = "0.0.0.0";
        HostPort = "0";
    }

    /// <summary>The host address as docker prints it (0.0.0.0 for all).</summary>
    public string HostIp { get; }

    /// <summary>The host port or range that was asked for.</summary>
    public string HostPort { get; }
}
