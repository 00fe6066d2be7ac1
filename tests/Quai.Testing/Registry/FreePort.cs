using System.Net;
using System.Net.Sockets;

namespace Quai.Testing.Registry;

/// <summary>Free TCP ports on 127.0.0.1 for servers that cannot report the port they bound.</summary>
public static class FreePort
{
    /// <summary>A port the kernel just handed out for 127.0.0.1 (bind to 0, read, close).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
