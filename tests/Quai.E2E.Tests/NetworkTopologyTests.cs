using System.Net;
using System.Net.Sockets;
using System.Text;
using Quai.E2E.Tests.Infra;

namespace Quai.E2E.Tests;

/// <summary>
/// Issue #5, cases 3–6 and 12: isolation between user networks and of --internal ones, the host,
/// none and container: network modes, connect/disconnect while running, network create options
/// with ls/inspect/rm/prune, and --ipv6 refused. Every test ends with the host as it found it.
/// </summary>
public sealed class NetworkTopologyTests(NetQuaidFixture fx) : IClassFixture<NetQuaidFixture>
{
    private Daemon D => fx.D;

    [Fact]
    public async Task Containers_on_two_user_networks_cannot_reach_each_other_and_internal_networks_have_no_way_out()
    {
        var (a, b, i) = (Daemon.Name("neta"), Daemon.Name("netb"), Daemon.Name("neti"));
        var (pa, pb, pi) = (NetHost.NewSubnetPrefix(), NetHost.NewSubnetPrefix(), NetHost.NewSubnetPrefix());
        var before = await NetHost.SnapshotAsync(D, pa + ".", pb + ".", pi + ".");
        var server = Daemon.Name("srvb");
        using var listener = HostHttp.Start(IPAddress.Parse(fx.BridgeIp), "host-ok");
        var hostUrl = $"http://{fx.BridgeIp}:{listener.Port}/";
        try
        {
            await D.Ok("network", "create", "--subnet", pa + ".0/24", a);
            await D.Ok("network", "create", "--subnet", pb + ".0/24", b);
            await D.Ok("network", "create", "--internal", "--subnet", pi + ".0/24", i);
            await D.Ok(["run", "-d", "--name", server, "--network", b, "busybox", .. NetworkServiceTests.Httpd("on-b")]);
            var ip = await D.Inspect(server, $"{{{{(index .NetworkSettings.Networks \"{b}\").IPAddress}}}}");
            Assert.StartsWith(pb + ".", ip, StringComparison.Ordinal);
            // Control: the server answers on its own network.
            Assert.Equal("on-b", await D.Ok(["run", "--rm", "--network", b, "busybox", .. NetworkServiceTests.WgetRetry($"http://{ip}/")]));
            var fromA = await D.D("run", "--rm", "--network", a, "busybox", "sh", "-c", $"timeout 2 wget -q -O- http://{ip}/ && w=0 || w=1; ping -c 1 -W 1 {ip} >/dev/null; echo \"wget=$w ping=$?\"");
            Assert.Equal("wget=1 ping=1", fromA.Ok().Out);

            // A normal user network reaches the host; an internal one does not (no route, dropped at the bridge).
            Assert.Equal("host-ok", await D.Ok(["run", "--rm", "--network", a, "busybox", .. NetworkServiceTests.WgetRetry(hostUrl)]));
            var hitsBefore = listener.Hits;
            var fromInternal = await D.D("run", "--rm", "--network", i, "busybox", "sh", "-c", $"timeout 2 wget -q -O- {hostUrl} && echo wget=0 || echo wget=1; ip route");
            Assert.StartsWith("wget=1", fromInternal.Ok().Out, StringComparison.Ordinal);
            Assert.DoesNotContain("default", fromInternal.Out, StringComparison.Ordinal);
            Assert.Equal(hitsBefore, listener.Hits);
        }
        finally
        {
            await D.D("rm", "-f", server);
            await D.D("network", "rm", a, b, i);
        }
        Assert.Equal(before, await NetHost.SnapshotAsync(D, pa + ".", pb + ".", pi + "."));
    }

    [Fact]
    public async Task Host_none_and_container_network_modes()
    {
        var hostDev = await File.ReadAllTextAsync("/proc/net/dev");
        var hostLinks = hostDev.Split('\n').Where(l => l.Contains(':', StringComparison.Ordinal)).Select(l => l.Split(':')[0].Trim()).ToHashSet();
        var inHost = (await D.Ok("run", "--rm", "--network", "host", "busybox", "cat", "/proc/net/dev")).Split('\n')
            .Where(l => l.Contains(':', StringComparison.Ordinal)).Select(l => l.Split(':')[0].Trim()).ToHashSet();
        Assert.Contains("lo", inHost);
        Assert.Contains(fx.Bridge, inHost);
        var eth = await NetworkServiceTests.HostAddressAsync() is not null ? hostLinks.First(l => l.StartsWith("eth", StringComparison.Ordinal) || l.StartsWith("en", StringComparison.Ordinal)) : "lo";
        Assert.Contains(eth, inHost);

        var inNone = (await D.Ok("run", "--rm", "--network", "none", "busybox", "cat", "/proc/net/dev")).Split('\n')
            .Where(l => l.Contains(':', StringComparison.Ordinal)).Select(l => l.Split(':')[0].Trim()).ToList();
        Assert.Equal(["lo"], inNone);

        var other = Daemon.Name("other");
        try
        {
            await D.Ok(["run", "-d", "--name", other, "--hostname", "other-host", "busybox", .. NetworkServiceTests.Httpd("shared")]);
            var otherView = await D.Ok("exec", other, "sh", "-c", "hostname; ip -4 -o addr show eth0 | awk '{print $4}'");
            var joined = await D.Ok(["run", "--rm", "--network", "container:" + other, "busybox", "sh", "-c",
                "hostname; ip -4 -o addr show eth0 | awk '{print $4}'; for i in $(seq 50); do timeout 3 wget -q -O- http://127.0.0.1/ 2>/dev/null && exit 0; sleep 0.2; done; exit 1"]);
            Assert.Equal(otherView + "\nshared", joined);
        }
        finally
        {
            await D.D("rm", "-f", other);
        }
    }

    [Fact]
    public async Task Connect_and_disconnect_a_running_container()
    {
        var net = Daemon.Name("conn");
        var prefix = NetHost.NewSubnetPrefix();
        var before = await NetHost.SnapshotAsync(D, prefix + ".");
        var c = Daemon.Name("c");
        var peer = Daemon.Name("peer");
        var alias = "x" + NetHost.Hex();
        try
        {
            await D.Ok("network", "create", "--subnet", prefix + ".0/24", net);
            await D.Ok("run", "-d", "--name", c, "busybox", "sleep", "600");
            await D.Ok("run", "-d", "--name", peer, "--network", net, "busybox", "sleep", "600");
            await D.Ok("network", "connect", "--alias", alias, "--ip", prefix + ".50", net, c);
            Assert.Contains(prefix + ".50/24", await D.Ok("exec", c, "ip", "-4", "-o", "addr"), StringComparison.Ordinal);
            Assert.Equal(prefix + ".50", await D.Inspect(c, $"{{{{(index .NetworkSettings.Networks \"{net}\").IPAddress}}}}"));
            Assert.Contains(alias, await D.Inspect(c, $"{{{{json (index .NetworkSettings.Networks \"{net}\").Aliases}}}}"), StringComparison.Ordinal);
            Assert.Contains(c, await D.Ok("network", "inspect", "-f", "{{range .Containers}}{{.Name}} {{.IPv4Address}};{{end}}", net), StringComparison.Ordinal);
            await Poll.UntilAsync(async () =>
            {
                var r = await D.D("exec", peer, "nslookup", alias);
                return r.Stdout.Contains(prefix + ".50", StringComparison.Ordinal) ? null : "nslookup: " + r;
            }, seconds: 10);
            Assert.Equal("1", await D.Ok("exec", peer, "sh", "-c", $"ping -c 1 -W 2 {alias} >/dev/null && echo 1"));

            await D.Ok("network", "disconnect", net, c);
            Assert.DoesNotContain(prefix + ".", await D.Ok("exec", c, "ip", "-4", "-o", "addr"), StringComparison.Ordinal);
            Assert.DoesNotContain(net, await D.Inspect(c, "{{json .NetworkSettings.Networks}}"), StringComparison.Ordinal);
            Assert.DoesNotContain(c, await D.Ok("network", "inspect", "-f", "{{range .Containers}}{{.Name}};{{end}}", net), StringComparison.Ordinal);
            var gone = await D.D("exec", peer, "nslookup", alias);
            Assert.DoesNotContain(prefix + ".50", gone.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await D.D("rm", "-f", c, peer);
            await D.D("network", "rm", net);
        }
        Assert.Equal(before, await NetHost.SnapshotAsync(D, prefix + "."));
    }

    [Fact]
    public async Task Network_create_options_ls_inspect_rm_and_prune()
    {
        var net = Daemon.Name("opts");
        var prefix = NetHost.NewSubnetPrefix();
        var bridgeName = "qx" + NetHost.Hex();
        var label = "e2e.net=" + NetHost.Hex();
        var before = await NetHost.SnapshotAsync(D, prefix + ".", bridgeName);
        var c = Daemon.Name("member");
        var spare = Daemon.Name("spare");
        try
        {
            var id = await D.Ok("network", "create", "--subnet", prefix + ".0/24", "--gateway", prefix + ".254", "--ip-range", prefix + ".128/28",
                "--internal", "--label", label, "--opt", "com.docker.network.bridge.name=" + bridgeName, net);
            Assert.Equal(64, id.Length);
            Assert.Contains(net + " bridge local", await D.Ok("network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}}"), StringComparison.Ordinal);
            Assert.Equal(net, await D.Ok("network", "ls", "-q", "--no-trunc", "--filter", "label=" + label, "--format", "{{.Name}}"));
            Assert.True(Directory.Exists("/sys/class/net/" + bridgeName), $"bridge {bridgeName} missing");
            Assert.Equal($"[{{\"Subnet\":\"{prefix}.0/24\",\"IPRange\":\"{prefix}.128/28\",\"Gateway\":\"{prefix}.254\"}}]", await D.Ok("network", "inspect", "-f", "{{json .IPAM.Config}}", net));
            Assert.Equal("true bridge " + label.Split('=')[1], await D.Ok("network", "inspect", "-f", "{{.Internal}} {{.Driver}} {{index .Labels \"e2e.net\"}}", net));
            Assert.Equal(bridgeName, await D.Ok("network", "inspect", "-f", "{{index .Options \"com.docker.network.bridge.name\"}}", net));

            await D.Ok("run", "-d", "--name", c, "--network", net, "busybox", "sleep", "600");
            var ip = await D.Inspect(c, $"{{{{(index .NetworkSettings.Networks \"{net}\").IPAddress}}}}");
            var last = int.Parse(ip.Split('.')[3], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(last, 128, 143);
            Assert.Equal($"{c} {ip}/24", await D.Ok("network", "inspect", "-f", "{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}", net));
            Assert.NotEqual(0, (await D.D("network", "rm", net)).ExitCode);
            await D.Ok("rm", "-f", c);
            Assert.Equal(net, await D.Ok("network", "rm", net));
            Assert.False(Directory.Exists("/sys/class/net/" + bridgeName), $"bridge {bridgeName} left behind");

            await D.Ok("network", "create", "--label", label, "--subnet", NetHost.NewSubnetPrefix() + ".0/24", spare);
            var pruned = await D.Ok("network", "prune", "-f", "--filter", "label=" + label);
            Assert.Contains(spare, pruned, StringComparison.Ordinal);
            Assert.NotEqual(0, (await D.D("network", "inspect", spare)).ExitCode);
        }
        finally
        {
            await D.D("rm", "-f", c);
            await D.D("network", "rm", net);
            await D.D("network", "rm", spare);
        }
        Assert.Equal(before, await NetHost.SnapshotAsync(D, prefix + ".", bridgeName));
    }

    [Fact]
    public async Task Ipv6_networks_are_refused_with_a_clear_error()
    {
        var net = Daemon.Name("v6");
        var r = await D.D("network", "create", "--ipv6", net);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("IPv6", r.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, (await D.D("network", "inspect", net)).ExitCode);
    }
}

/// <summary>A tiny HTTP server of the test's own on a host address, counting requests.</summary>
internal sealed class HostHttp : IDisposable
{
    private readonly TcpListener listener;
    private readonly string body;
    private int hits;

    private HostHttp(IPAddress address, string body)
    {
        this.body = body;
        listener = new TcpListener(address, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _ = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public static HostHttp Start(IPAddress address, string body) => new(address, body);

    public int Hits => Volatile.Read(ref hits);

    private async Task LoopAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    Interlocked.Increment(ref hits);
                    var stream = client.GetStream();
                    var buf = new byte[4096];
                    try
                    {
                        _ = await stream.ReadAsync(buf);
                        var payload = Encoding.ASCII.GetBytes($"HTTP/1.0 200 OK\r\nContent-Length: {body.Length + 1}\r\n\r\n{body}\n");
                        await stream.WriteAsync(payload);
                    }
                    catch (IOException)
                    {
                    }
                }
            });
        }
    }

    public void Dispose() => listener.Stop();
}
