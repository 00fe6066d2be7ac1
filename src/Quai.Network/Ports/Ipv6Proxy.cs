using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Quai.Network.Ports;

/// <summary>
/// docker-proxy's job for the IPv6 half of a port published on all addresses: the container has
/// only an IPv4 address, so the portmap plugin's DNAT cannot reach it from [::]; connections
/// (TCP) and datagrams (UDP) arriving on the reserved [::]:port socket are relayed to the
/// container's IPv4 address from the daemon (moby cmd/docker-proxy tcp_proxy.go, udp_proxy.go).
/// </summary>
internal static class Ipv6Proxy
{
    /// <summary>Accepts on <paramref name="listener"/> until it is closed, piping each connection to <paramref name="target"/>.</summary>
    public static async Task RunTcpAsync(Socket listener, IPEndPoint target, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            _ = Task.Run(() => PipeAsync(client, target, cancellationToken), CancellationToken.None);
        }
    }

    private static async Task PipeAsync(Socket client, IPEndPoint target, CancellationToken cancellationToken)
    {
        using (client)
        using (var backend = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            try
            {
                await backend.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
                await Task.WhenAll(CopyAsync(client, backend, cancellationToken), CopyAsync(backend, client, cancellationToken)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // The container or the client went away: the connection ends, as with docker-proxy.
            }
        }
    }

    private static async Task CopyAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16384];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Half-close: the other direction may still have data to deliver.
            try
            {
                to.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Relays datagrams from <paramref name="socket"/> to <paramref name="target"/> and the replies back, one backend socket per client.</summary>
    public static async Task RunUdpAsync(Socket socket, IPEndPoint target, CancellationToken cancellationToken)
    {
        var backends = new ConcurrentDictionary<EndPoint, Socket>();
        var buffer = new byte[65535];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                SocketReceiveFromResult r;
                try
                {
                    r = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.IPv6Any, 0), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException)
                {
                    return;
                }
                catch (SocketException)
                {
                    continue; // e.g. ICMP port unreachable reported on the socket
                }
                var client = r.RemoteEndPoint;
                if (!backends.TryGetValue(client, out var backend))
                {
                    backend = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                    backend.Connect(target);
                    backends[client] = backend;
                    _ = Task.Run(() => RepliesAsync(backend, socket, client, cancellationToken), CancellationToken.None);
                }
                try
                {
                    await backend.SendAsync(buffer.AsMemory(0, r.ReceivedBytes), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }
                catch (SocketException)
                {
                }
            }
        }
        finally
        {
            foreach (var b in backends.Values)
            {
                b.Dispose();
            }
        }
    }

    private static async Task RepliesAsync(Socket backend, Socket front, EndPoint client, CancellationToken cancellationToken)
    {
        var buffer = new byte[65535];
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var n = await backend.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                await front.SendToAsync(buffer.AsMemory(0, n), SocketFlags.None, client, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                // Refused by the container for now; keep relaying later replies.
                await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
