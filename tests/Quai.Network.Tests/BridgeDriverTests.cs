using System.Net;
using System.Net.Sockets;
using Quai.Network.Bridge;
using Quai.Network.Namespaces;
using Quai.Network.Ports;

namespace Quai.Network.Tests;

// iptables-heavy tests share host tables (FORWARD, nat): run them one at a time.
[Collection("host-network")]
public sealed class BridgeDriverTests
{
    [Fact]
    public async Task Two_namespaces_on_one_bridge_get_addresses_and_ping_each_other()
    {
        await using var env = new NetTestEnvironment();
        var net = await env.CreateNetworkAsync("a");
        var ns1 = env.CreateNetns("c1");
        var ns2 = env.CreateNetns("c2");

        var r1 = await env.AttachAsync(net, "c1" + env.Tag, ns1);
        var r2 = await env.AttachAsync(net, "c2" + env.Tag, ns2);

        Assert.True(net.Subnet.Contains(r1.IpAddress));
        Assert.True(net.Subnet.Contains(r2.IpAddress));
        Assert.NotEqual(r1.IpAddress, r2.IpAddress);
        Assert.Equal(24, r1.PrefixLength);
        Assert.Equal(net.EffectiveGateway, r1.Gateway);
        Assert.Equal(net.Subnet.AddressAt(2), r1.IpAddress); // docker's first container gets .2
        Assert.Matches("^([0-9a-f]{2}:){5}[0-9a-f]{2}$", r1.MacAddress!);
        Assert.Equal("eth0", r1.InterfaceName);

        Assert.True(NetTestEnvironment.Ping(ns1.Path, r2.IpAddress.ToString()));
        Assert.True(NetTestEnvironment.Ping(ns2.Path, r1.IpAddress.ToString()));
        Assert.True(NetTestEnvironment.Ping(ns1.Path, net.EffectiveGateway.ToString()));
        var routes = NetTestEnvironment.Exec(ns1.Path, "ip", "-4", "route").Output;
        Assert.Contains($"default via {net.EffectiveGateway} dev eth0", routes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CHECK_passes_for_a_live_attachment_and_fails_once_the_interface_is_gone()
    {
        await using var env = new NetTestEnvironment();
        var net = await env.CreateNetworkAsync("k");
        var ns = env.CreateNetns("k1");
        var id = "k1" + env.Tag;
        await env.AttachAsync(net, id, ns);
        var list = env.Driver.GetNetworkList(net);
        var runtime = new Quai.Network.Cni.CniRuntimeConf { ContainerId = id, NetnsPath = ns.Path };

        await list.CheckAsync(runtime);

        NetTestEnvironment.Exec(ns.Path, "ip", "link", "del", "eth0");
        var e = await Assert.ThrowsAsync<Quai.Network.Cni.CniException>(() => list.CheckAsync(runtime));
        Assert.Equal("bridge", e.Plugin);
        Assert.Equal("CHECK", e.Command);
    }

    [Fact]
    public async Task A_specific_address_and_mac_are_honoured()
    {
        await using var env = new NetTestEnvironment();
        var net = await env.CreateNetworkAsync("s");
        var ns = env.CreateNetns("c1");
        var wanted = net.Subnet.AddressAt(77);

        var result = await env.AttachAsync(net, "c1" + env.Tag, ns, new AttachOptions { IpAddress = wanted, MacAddress = "02:42:0a:c7:00:4d" });

        Assert.Equal(wanted, result.IpAddress);
        Assert.Equal("02:42:0a:c7:00:4d", result.MacAddress);
        Assert.Contains(wanted.ToString(), NetTestEnvironment.Exec(ns.Path, "ip", "-4", "addr", "show", "eth0").Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Containers_on_different_networks_cannot_reach_each_other()
    {
        await using var env = new NetTestEnvironment();
        var netA = await env.CreateNetworkAsync("a");
        var netB = await env.CreateNetworkAsync("b");
        var nsA = env.CreateNetns("a1");
        var nsB = env.CreateNetns("b1");
        var a = await env.AttachAsync(netA, "a1" + env.Tag, nsA);
        var b = await env.AttachAsync(netB, "b1" + env.Tag, nsB);

        Assert.True(NetTestEnvironment.Ping(nsA.Path, netA.EffectiveGateway.ToString()));
        Assert.False(NetTestEnvironment.Ping(nsA.Path, b.IpAddress.ToString()));
        Assert.False(NetTestEnvironment.Ping(nsB.Path, a.IpAddress.ToString()));
        Assert.Contains($"-A {env.ChainPrefix}-ISOLATION-2 -o {netB.BridgeName} -j DROP", NetTestEnvironment.IptablesSave(), StringComparison.Ordinal);

        // Control: it is our chain that blocks the traffic, not a missing route.
        Assert.Equal(0, Run("iptables", "-w", "-D", $"{env.ChainPrefix}-FORWARD", "-j", $"{env.ChainPrefix}-ISOLATION-1"));
        try
        {
            Assert.True(NetTestEnvironment.Ping(nsA.Path, b.IpAddress.ToString()));
        }
        finally
        {
            Assert.Equal(0, Run("iptables", "-w", "-I", $"{env.ChainPrefix}-FORWARD", "1", "-j", $"{env.ChainPrefix}-ISOLATION-1"));
        }
        Assert.False(NetTestEnvironment.Ping(nsA.Path, b.IpAddress.ToString()));
    }

    [Fact]
    public async Task An_internal_network_has_no_default_route_and_no_way_out()
    {
        await using var env = new NetTestEnvironment();
        var open = await env.CreateNetworkAsync("o");
        var closed = await env.CreateNetworkAsync("i", isInternal: true);
        var nsOpen = env.CreateNetns("o1");
        var nsIn1 = env.CreateNetns("i1");
        var nsIn2 = env.CreateNetns("i2");
        var o = await env.AttachAsync(open, "o1" + env.Tag, nsOpen);
        var i1 = await env.AttachAsync(closed, "i1" + env.Tag, nsIn1);
        var i2 = await env.AttachAsync(closed, "i2" + env.Tag, nsIn2);

        Assert.Null(i1.Gateway);
        Assert.DoesNotContain("default", NetTestEnvironment.Exec(nsIn1.Path, "ip", "-4", "route").Output, StringComparison.Ordinal);
        Assert.True(NetTestEnvironment.Ping(nsIn1.Path, i2.IpAddress.ToString()));
        Assert.False(NetTestEnvironment.Ping(nsIn1.Path, open.EffectiveGateway.ToString()));
        Assert.False(NetTestEnvironment.Ping(nsIn1.Path, o.IpAddress.ToString()));
        Assert.False(NetTestEnvironment.Ping(nsOpen.Path, i1.IpAddress.ToString()));
        Assert.DoesNotContain(closed.Subnet.NetworkAddress.ToString(), NatRulesOf(closed.Subnet.ToString()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_published_port_is_reached_from_the_host_at_127_0_0_1()
    {
        await using var env = new NetTestEnvironment();
        var net = await env.CreateNetworkAsync("p");
        var ns = env.CreateNetns("web");
        using var ports = new PortAllocator();
        var owner = "web" + env.Tag;
        var mappings = ports.Allocate(owner, PortSpecParser.Parse("127.0.0.1::8080"));
        try
        {
            // The server listens inside the netns on a socket opened there by our setns helper.
            using var listener = NetworkNamespace.RunInside(ns.Path, () =>
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                s.Bind(new IPEndPoint(IPAddress.Any, 8080));
                s.Listen(4);
                return s;
            });
            await env.AttachAsync(net, owner, ns, new AttachOptions { PortMappings = mappings });
            var accept = listener.AcceptAsync();

            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, mappings[0].HostPort), timeout.Token);
            using var server = await accept.WaitAsync(timeout.Token);
            await client.SendAsync("hello"u8.ToArray(), SocketFlags.None, timeout.Token);
            var buffer = new byte[16];
            var n = await server.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(buffer, 0, n));
        }
        finally
        {
            ports.Release(owner);
        }
    }

    [Fact]
    public async Task NAT_and_forward_accepts_are_per_network_rules_not_per_container()
    {
        await using var env = new NetTestEnvironment();
        var net = await env.CreateNetworkAsync("n");
        var before = NetTestEnvironment.IptablesSave();
        var p = env.ChainPrefix;
        var br = net.BridgeName;
        // docker's rules for a bridge (moby setup_ip_tables.go), in our chains.
        Assert.Contains($"-A POSTROUTING -j {p}-POSTROUTING", before, StringComparison.Ordinal);
        Assert.Contains($"-A {p}-POSTROUTING -s {net.Subnet} ! -o {br} -j MASQUERADE", before, StringComparison.Ordinal);
        Assert.Contains($"-A FORWARD -j {p}-FORWARD", before, StringComparison.Ordinal);
        Assert.Contains($"-A {p}-FORWARD -j {p}-ISOLATION-1", before, StringComparison.Ordinal);
        Assert.Contains($"-A {p}-FORWARD -o {br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", before, StringComparison.Ordinal);
        Assert.Contains($"-A {p}-FORWARD -o {br} -m conntrack --ctstate DNAT -j ACCEPT", before, StringComparison.Ordinal);
        Assert.Contains($"-A {p}-FORWARD -i {br} -j ACCEPT", before, StringComparison.Ordinal);
        // The isolation jump stays the first rule of our chain: no accept pre-empts it.
        Assert.StartsWith($"-A {p}-FORWARD -j {p}-ISOLATION-1", before.Split('\n').First(l => l.StartsWith($"-A {p}-FORWARD ", StringComparison.Ordinal)), StringComparison.Ordinal);

        var ns1 = env.CreateNetns("n1");
        var ns2 = env.CreateNetns("n2");
        var a = await env.AttachAsync(net, "n1" + env.Tag, ns1);
        var b = await env.AttachAsync(net, "n2" + env.Tag, ns2);
        Assert.True(NetTestEnvironment.Ping(ns1.Path, b.IpAddress.ToString()));
        Assert.True(NetTestEnvironment.Ping(ns2.Path, net.EffectiveGateway.ToString()));

        // Attaching two containers added no iptables rule at all (of ours, or naming the network,
        // its subnet or the containers; other test assemblies change the host's tables meanwhile).
        var mine = new[] { p, br, env.Tag, net.Subnet.NetworkAddress.ToString()[..^1] };
        Assert.Equal(Normalise(before, mine), Normalise(NetTestEnvironment.IptablesSave(), mine));
        Assert.Equal(["bridge"], env.Driver.GetNetworkList(net).GetCachedPluginTypes("n1" + env.Tag));
        _ = a;
    }

    [Fact]
    public async Task EnsureNetwork_restores_a_missing_bridge_and_rules_and_is_idempotent()
    {
        await using var env = new NetTestEnvironment();
        var net = await env.CreateNetworkAsync("e");
        Assert.Equal(0, Run("ip", "link", "del", net.BridgeName));

        await env.Driver.EnsureNetworkAsync(net);
        await env.Driver.EnsureNetworkAsync(net);

        Assert.True(Directory.Exists($"/sys/class/net/{net.BridgeName}"));
        var rules = NetTestEnvironment.IptablesSave().Split('\n');
        Assert.Single(rules, r => r == $"-A {env.ChainPrefix}-ISOLATION-2 -o {net.BridgeName} -j DROP");
        var ns = env.CreateNetns("e1");
        var r = await env.AttachAsync(net, "e1" + env.Tag, ns);
        Assert.True(NetTestEnvironment.Ping(ns.Path, net.EffectiveGateway.ToString()));
        Assert.True(net.Subnet.Contains(r.IpAddress));
    }

    [Fact]
    public async Task Creating_a_network_over_an_existing_interface_fails_and_leaves_it_alone()
    {
        await using var env = new NetTestEnvironment();
        var net = await env.CreateNetworkAsync("d");
        var clash = net with { Name = net.Name + "x", Subnet = NetTestEnvironment.NextSubnet() };

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => env.Driver.CreateNetworkAsync(clash));

        Assert.Contains(net.BridgeName, e.Message, StringComparison.Ordinal);
        Assert.True(Directory.Exists($"/sys/class/net/{net.BridgeName}"));
    }

    private static int Run(string program, params string[] args)
    {
        using var p = System.Diagnostics.Process.Start(program, args);
        p.WaitForExit();
        return p.ExitCode;
    }

    /// <summary>The rules and chains of iptables-save that contain one of <paramref name="needles"/>, sorted, without counters.</summary>
    private static string Normalise(string save, string[] needles) =>
        string.Join('\n', save.Split('\n')
            .Where(l => l.StartsWith("-A ", StringComparison.Ordinal) || l.StartsWith(':'))
            .Select(l => l.StartsWith(':') ? l.Split(' ')[0] : l)
            .Where(l => needles.Any(n => l.Contains(n, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal));

    private static string NatRulesOf(string needle) =>
        string.Join('\n', NetTestEnvironment.IptablesSave().Split('\n').Where(l => l.Contains("MASQUERADE", StringComparison.Ordinal) && l.Contains(needle, StringComparison.Ordinal)));
}
