using System.Net;
using System.Net.Sockets;
using Quai.Network.Dns;
using Quai.Network.Namespaces;
using Quai.Testing;

namespace Quai.Network.Tests;

public sealed class EmbeddedDnsServerTests : IAsyncLifetime
{
    private static readonly IPAddress Web = IPAddress.Parse("10.199.250.7");
    private TempDir temp = null!;
    private NetworkNamespace ns = null!;
    private FakeUpstreamDns upstream = null!;
    private EmbeddedDnsServer server = null!;
    private readonly List<(string Container, string Name)> asked = [];

    public Task InitializeAsync()
    {
        Root.Require();
        temp = new TempDir("quai-dns");
        ns = NetworkNamespace.Create(temp.Combine("netns"), "dns");
        upstream = new FakeUpstreamDns(new() { ["outside.test"] = IPAddress.Parse("192.0.2.44") });
        server = EmbeddedDnsServer.Start("c1", ns.Path, new EmbeddedDnsServerOptions
        {
            Resolve = (container, name) =>
            {
                lock (asked)
                {
                    asked.Add((container, name));
                }
                return name switch
                {
                    "web" or "webalias" => [Web],
                    "many" => Enumerable.Range(1, 60).Select(i => IPAddress.Parse($"10.199.251.{i}")).ToList(),
                    _ => [],
                };
            },
            ResolveReverse = (_, address) => address.Equals(Web) ? "web" : null,
            Upstreams = [upstream.EndPoint],
            UpstreamTimeout = TimeSpan.FromSeconds(2),
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await upstream.DisposeAsync();
        ns.Delete();
        temp.Dispose();
    }

    [Fact]
    public async Task A_name_known_to_the_engine_is_answered_from_the_callback()
    {
        var response = await QueryUdpAsync("web", DnsConstants.TypeA);

        Assert.Equal(DnsConstants.RcodeNoError, response.Rcode);
        Assert.True(response.RecursionAvailable);
        Assert.False(response.Authoritative); // nslookup shows "Non-authoritative answer", as with docker
        var answer = Assert.Single(response.Answers);
        Assert.Equal(Web, new IPAddress(answer.Data));
        Assert.Equal(600u, answer.Ttl);
        Assert.Contains(("c1", "web"), asked);
        Assert.Equal(0, upstream.Queries);
    }

    [Fact]
    public async Task AAAA_of_a_known_name_is_an_empty_NOERROR_without_forwarding()
    {
        var response = await QueryUdpAsync("web", DnsConstants.TypeAaaa);

        Assert.Equal(DnsConstants.RcodeNoError, response.Rcode);
        Assert.Empty(response.Answers);
        Assert.Equal(0, upstream.Queries);
    }

    [Fact]
    public async Task Other_names_are_forwarded_to_the_upstream_and_NXDOMAIN_is_relayed()
    {
        var found = await QueryUdpAsync("outside.test", DnsConstants.TypeA);
        var missing = await QueryUdpAsync("nowhere.test", DnsConstants.TypeA);

        Assert.Equal(IPAddress.Parse("192.0.2.44"), new IPAddress(Assert.Single(found.Answers).Data));
        Assert.Equal(DnsConstants.RcodeNxDomain, missing.Rcode);
        Assert.Empty(missing.Answers);
        Assert.Equal(2, upstream.Queries);
    }

    [Fact]
    public async Task PTR_of_a_container_address_is_its_name()
    {
        var response = await QueryUdpAsync("7.250.199.10.in-addr.arpa", DnsConstants.TypePtr);

        var answer = Assert.Single(response.Answers);
        var offset = 0;
        Assert.Equal("web", DnsPacket.ReadName(answer.Data, ref offset));
    }

    [Fact]
    public async Task TCP_queries_are_answered_locally_and_forwarded()
    {
        var local = await QueryTcpAsync("webalias", DnsConstants.TypeA);
        var forwarded = await QueryTcpAsync("outside.test", DnsConstants.TypeA);

        Assert.Equal(Web, new IPAddress(Assert.Single(local.Answers).Data));
        Assert.Equal(IPAddress.Parse("192.0.2.44"), new IPAddress(Assert.Single(forwarded.Answers).Data));
    }

    [Fact]
    public async Task A_UDP_answer_too_big_for_512_bytes_is_truncated_and_complete_over_TCP()
    {
        var udp = await QueryUdpAsync("many", DnsConstants.TypeA);
        var tcp = await QueryTcpAsync("many", DnsConstants.TypeA);

        Assert.True(udp.Truncated);
        Assert.Empty(udp.Answers);
        Assert.False(tcp.Truncated);
        Assert.Equal(60, tcp.Answers.Count);
    }

    [Fact]
    public void Busybox_nslookup_inside_the_netns_resolves_through_127_0_0_11()
    {
        var (code, output) = NetTestEnvironment.Exec(ns.Path, "busybox", "nslookup", "web", "127.0.0.11");

        Assert.True(code == 0, output);
        Assert.Contains("Address: 10.199.250.7", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_server_listens_inside_the_netns_only()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.11"), 53), server.LocalEndPoint);
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        // In the host netns nothing of ours listens on 127.0.0.11:53.
        Assert.ThrowsAny<SocketException>(() => probe.Connect(new IPEndPoint(IPAddress.Parse("127.0.0.11"), 53)));
    }

    private async Task<DnsPacket> QueryUdpAsync(string name, ushort type)
    {
        using var socket = NetworkNamespace.RunInside(ns.Path, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Connect(new IPEndPoint(IPAddress.Parse("127.0.0.11"), 53));
            return s;
        });
        var id = (ushort)Random.Shared.Next(ushort.MaxValue);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.SendAsync(DnsPacket.Query(id, name, type).Encode(), SocketFlags.None, timeout.Token);
        var buffer = new byte[65535];
        var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        var response = DnsPacket.Parse(buffer.AsSpan(0, n));
        Assert.Equal(id, response.Id);
        Assert.True(response.IsResponse);
        Assert.Equal(name, Assert.Single(response.Questions).Name);
        return response;
    }

    private async Task<DnsPacket> QueryTcpAsync(string name, ushort type)
    {
        using var socket = NetworkNamespace.RunInside(ns.Path, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse("127.0.0.11"), 53), timeout.Token);
        using var stream = new NetworkStream(socket);
        var query = DnsPacket.Query(7, name, type).Encode();
        await stream.WriteAsync(new byte[] { (byte)(query.Length >> 8), (byte)query.Length }, timeout.Token);
        await stream.WriteAsync(query, timeout.Token);
        var len = new byte[2];
        await stream.ReadExactlyAsync(len, timeout.Token);
        var body = new byte[(len[0] << 8) | len[1]];
        await stream.ReadExactlyAsync(body, timeout.Token);
        return DnsPacket.Parse(body);
    }
}
