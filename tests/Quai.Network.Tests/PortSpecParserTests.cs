using Quai.Network.Ports;

namespace Quai.Network.Tests;

public sealed class PortSpecParserTests
{
    [Theory]
    [InlineData("80", 80, "tcp", "", 0, 0)]
    [InlineData("8080:80", 80, "tcp", "", 8080, 8080)]
    [InlineData("127.0.0.1:8080:80/udp", 80, "udp", "127.0.0.1", 8080, 8080)]
    [InlineData("127.0.0.1::80", 80, "tcp", "127.0.0.1", 0, 0)]
    [InlineData("0.0.0.0:8080:80", 80, "tcp", "", 8080, 8080)]
    [InlineData("[::1]:8080:80", 80, "tcp", "::1", 8080, 8080)]
    [InlineData("8000-8010:80", 80, "tcp", "", 8000, 8010)]
    [InlineData("53:53/SCTP", 53, "sctp", "", 53, 53)]
    public void Single_container_port_forms(string spec, int containerPort, string proto, string ip, int hostStart, int hostEnd)
    {
        var port = Assert.Single(PortSpecParser.Parse(spec));
        Assert.Equal(new PublishedPort(containerPort, proto, ip, hostStart, hostEnd), port);
    }

    [Fact]
    public void Ranges_map_port_by_port()
    {
        var ports = PortSpecParser.Parse("8000-8001:80-81");
        Assert.Equal([new PublishedPort(80, "tcp", "", 8000, 8000), new PublishedPort(81, "tcp", "", 8001, 8001)], ports);
        Assert.Equal(3, PortSpecParser.Parse("7000-7002").Count);
    }

    [Theory]
    [InlineData("8000-8002:80-81", "invalid ranges specified for container and host Ports: 80-81 and 8000-8002")]
    [InlineData("80/icmp", "invalid proto: icmp")]
    [InlineData("1.2.3:80:80", "invalid IP address: 1.2.3")]
    [InlineData("x:80", "invalid hostPort: x")]
    [InlineData("8080:0", "invalid containerPort: 0")]
    [InlineData("8080:70000", "invalid containerPort: 70000")]
    public void Invalid_specs_fail_with_dockers_messages(string spec, string message)
    {
        Assert.Equal(message, Assert.Throws<FormatException>(() => PortSpecParser.Parse(spec)).Message);
    }

    [Fact]
    public void PortBindings_map_round_trips()
    {
        var ports = PortSpecParser.ParseAll(["8080:80", "127.0.0.1::443", "53:53/udp"]);
        var map = PortSpecParser.ToPortBindings(ports);

        Assert.Equal([new PortBinding("", "8080")], map["80/tcp"]);
        Assert.Equal([new PortBinding("127.0.0.1", "")], map["443/tcp"]);
        Assert.Equal([new PortBinding("", "53")], map["53/udp"]);
        var back = PortSpecParser.FromPortBindings(map.ToDictionary(k => k.Key, k => (IReadOnlyList<PortBinding>?)k.Value));
        Assert.Equal(ports.OrderBy(p => p.PortKey, StringComparer.Ordinal), back);
    }

    [Fact]
    public void An_exposed_port_without_bindings_gets_an_ephemeral_host_port()
    {
        var ports = PortSpecParser.FromPortBindings(new Dictionary<string, IReadOnlyList<PortBinding>?> { ["80/tcp"] = null });
        Assert.True(Assert.Single(ports).IsEphemeral);
    }
}
