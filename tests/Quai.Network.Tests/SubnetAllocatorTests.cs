using Quai.Network.Ipam;

namespace Quai.Network.Tests;

public sealed class SubnetAllocatorTests
{
    [Fact]
    public void The_first_subnet_free_of_networks_and_host_routes_is_chosen()
    {
        var allocator = new SubnetAllocator(hostNetworks: () => [Ipv4Network.Parse("172.17.0.0/16"), Ipv4Network.Parse("172.19.5.0/24")]);

        Assert.Equal(Ipv4Network.Parse("172.18.0.0/16"), allocator.Allocate([]));
        Assert.Equal(Ipv4Network.Parse("172.20.0.0/16"), allocator.Allocate([Ipv4Network.Parse("172.18.0.0/16")]));
    }

    [Fact]
    public void Pools_are_split_by_size_and_exhaustion_is_dockers_error()
    {
        var pools = new[] { AddressPool.Parse("10.199.0.0/23", 24) };
        var allocator = new SubnetAllocator(pools, () => []);

        Assert.Equal(Ipv4Network.Parse("10.199.1.0/24"), allocator.Allocate([Ipv4Network.Parse("10.199.0.0/24")]));
        var e = Assert.Throws<InvalidOperationException>(() => allocator.Allocate([Ipv4Network.Parse("10.199.0.0/16")]));
        Assert.Equal("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network", e.Message);
    }

    [Fact]
    public void Docker_default_pools_and_host_networks()
    {
        Assert.Equal(16, SubnetAllocator.DockerDefaultPools.Count);
        Assert.Equal(Ipv4Network.Parse("192.168.0.0/16"), SubnetAllocator.DockerDefaultPools[^1].Base);
        // The host's eth0 subnet is seen from /proc/net/route or its address.
        Assert.NotEmpty(SubnetAllocator.ReadHostNetworks());
    }

    [Fact]
    public void Cidr_parsing_and_overlap()
    {
        var n = Ipv4Network.Parse("10.1.2.3/24");
        Assert.Equal("10.1.2.0/24", n.ToString());
        Assert.Equal("10.1.2.1", n.FirstHost.ToString());
        Assert.True(Ipv4Network.Parse("10.0.0.0/8").Overlaps(n));
        Assert.False(Ipv4Network.Parse("10.1.3.0/24").Overlaps(n));
        Assert.False(Ipv4Network.TryParse("10.1.2/24", out _));
        Assert.False(Ipv4Network.TryParse("10.1.2.0/33", out _));
    }

    [Fact]
    public void The_default_bridge_uses_quai0_and_a_configurable_bip()
    {
        var d = DefaultBridgeNetwork.Create();
        Assert.Equal("quai0", d.BridgeName);
        Assert.Equal("172.30.0.0/16", d.Subnet.ToString());
        Assert.Equal("172.30.0.1", d.EffectiveGateway.ToString());
        Assert.Equal("192.168.99.0/24", DefaultBridgeNetwork.Create("192.168.99.1/24").Subnet.ToString());
    }
}
