using System.Net;
using System.Net.Sockets;
using Quai.Network.Ports;

namespace Quai.Network.Tests;

public sealed class PortAllocatorTests
{
    [Fact]
    public void A_taken_host_port_fails_with_dockers_message_and_reserves_nothing()
    {
        using var busy = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        busy.Bind(new IPEndPoint(IPAddress.Any, 0));
        busy.Listen(1);
        var port = ((IPEndPoint)busy.LocalEndPoint!).Port;
        using var allocator = new PortAllocator();

        var e = Assert.Throws<PortAllocatedException>(() => allocator.Allocate("c1", PortSpecParser.ParseAll(["127.0.0.1::81", $"{port}:80"])));

        Assert.Equal($"Bind for 0.0.0.0:{port} failed: port is already allocated", e.Message);
        Assert.Empty(allocator.GetMappings("c1"));
    }

    [Fact]
    public void Ports_held_for_one_container_are_refused_to_another_until_released()
    {
        using var allocator = new PortAllocator();
        var first = Assert.Single(allocator.Allocate("c1", PortSpecParser.Parse("80")));
        Assert.InRange(first.HostPort, PortAllocator.ReadLocalPortRange().Low, PortAllocator.ReadLocalPortRange().High);

        Assert.Throws<PortAllocatedException>(() => allocator.Allocate("c2", PortSpecParser.Parse($"127.0.0.1:{first.HostPort}:80")));
        // Held like docker-proxy does: no other program can listen there meanwhile.
        using var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Assert.ThrowsAny<SocketException>(() => other.Bind(new IPEndPoint(IPAddress.Any, first.HostPort)));

        allocator.Release("c1");
        var again = Assert.Single(allocator.Allocate("c2", PortSpecParser.Parse($"{first.HostPort}:80")));
        Assert.Equal(first.HostPort, again.HostPort);
        allocator.Release("c2");
    }

    [Fact]
    public void A_host_range_yields_one_free_port_from_it()
    {
        using var allocator = new PortAllocator();
        var a = Assert.Single(allocator.Allocate("c1", PortSpecParser.Parse("127.0.0.1:41000-41005:80")));
        var b = Assert.Single(allocator.Allocate("c2", PortSpecParser.Parse("127.0.0.1:41000-41005:80")));
        Assert.InRange(a.HostPort, 41000, 41005);
        Assert.InRange(b.HostPort, 41000, 41005);
        Assert.NotEqual(a.HostPort, b.HostPort);
    }
}
