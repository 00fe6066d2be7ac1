using System.Net;
using System.Net.Sockets;
using System.Text;
using Quai.Network.Ports;

namespace Quai.Network.Tests;

/// <summary>The [::] half of an all-address publication, relayed to an IPv4 target as docker-proxy does (loopback only).</summary>
public sealed class Ipv6RelayTests
{
    [Fact]
    public async Task Tcp_and_udp_on_ipv6_loopback_reach_the_ipv4_target_until_released()
    {
        using var tcpTarget = new TcpListener(IPAddress.Loopback, 0);
        tcpTarget.Start();
        var targetPort = ((IPEndPoint)tcpTarget.LocalEndpoint).Port;
        using var udpTarget = new UdpClient(new IPEndPoint(IPAddress.Loopback, targetPort));
        using var allocator = new PortAllocator(ipv6: true);
        var mappings = allocator.Allocate("c1", PortSpecParser.ParseAll([$"{targetPort}", $"{targetPort}/udp"]));
        Assert.All(mappings, m => Assert.True(m.Ipv6));
        allocator.StartIpv6Relays("c1", IPAddress.Loopback);

        // TCP: the relayed connection carries bytes both ways.
        using (var client = new TcpClient(AddressFamily.InterNetworkV6))
        {
            await client.ConnectAsync(IPAddress.IPv6Loopback, mappings[0].HostPort);
            using var server = await tcpTarget.AcceptTcpClientAsync();
            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes("ping"));
            var buffer = new byte[4];
            await server.GetStream().ReadExactlyAsync(buffer);
            Assert.Equal("ping", Encoding.ASCII.GetString(buffer));
            await server.GetStream().WriteAsync(Encoding.ASCII.GetBytes("pong"));
            await client.GetStream().ReadExactlyAsync(buffer);
            Assert.Equal("pong", Encoding.ASCII.GetString(buffer));
        }

        // UDP: a datagram and its reply.
        using (var client = new UdpClient(AddressFamily.InterNetworkV6))
        {
            await client.SendAsync(Encoding.ASCII.GetBytes("dgram"), new IPEndPoint(IPAddress.IPv6Loopback, mappings[1].HostPort));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var got = await udpTarget.ReceiveAsync(cts.Token);
            Assert.Equal("dgram", Encoding.ASCII.GetString(got.Buffer));
            await udpTarget.SendAsync(Encoding.ASCII.GetBytes("reply"), got.RemoteEndPoint);
            var back = await client.ReceiveAsync(cts.Token);
            Assert.Equal("reply", Encoding.ASCII.GetString(back.Buffer));
        }

        allocator.Release("c1");
        using var after = new TcpClient(AddressFamily.InterNetworkV6);
        await Assert.ThrowsAnyAsync<SocketException>(() => after.ConnectAsync(IPAddress.IPv6Loopback, mappings[0].HostPort));
    }

    [Fact]
    public void A_taken_ipv6_port_counts_as_taken()
    {
        using var busy = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = false };
        busy.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
        busy.Listen(1);
        var port = ((IPEndPoint)busy.LocalEndPoint!).Port;
        using var allocator = new PortAllocator(ipv6: true);
        Assert.Throws<PortAllocatedException>(() => allocator.Allocate("c1", PortSpecParser.Parse($"{port}:80")));
        Assert.Empty(allocator.GetMappings("c1"));
    }
}
