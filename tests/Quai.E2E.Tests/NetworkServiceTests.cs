using System.Net;
using System.Net.Sockets;
using Quai.E2E.Tests.Infra;

namespace Quai.E2E.Tests;

/// <summary>
/// Issue #5, cases 1 and 2: a web server found by name and alias on a user network, and
/// published ports (loopback, fixed, -P, ranges, udp, from the host's own address and hairpin
/// from another container) as the real docker CLI sees them. Each test leaves the host as it was.
/// </summary>
public sealed class NetworkServiceTests(NetQuaidFixture fx) : IClassFixture<NetQuaidFixture>
{
    private Daemon D => fx.D;

    /// <summary>busybox httpd serving <paramref name="content"/> on port 80 (and 81 with <paramref name="alsoPort81"/>).</summary>
    internal static string[] Httpd(string content, bool alsoPort81 = false) =>
        ["sh", "-c", $"mkdir -p /www && echo {content} > /www/index.html && " + (alsoPort81 ? "httpd -p 81 -h /www && " : "") + "exec httpd -f -p 80 -h /www"];

    /// <summary>
    /// A shell loop that fetches <paramref name="url"/> until it answers (the server may still be
    /// starting). `timeout`, not wget's -T: Debian's busybox-static 1.35 wget crashes with -T.
    /// </summary>
    internal static string[] WgetRetry(string url) =>
        ["sh", "-c", $"for i in $(seq 50); do timeout 3 wget -q -O- {url} 2>/dev/null && exit 0; sleep 0.2; done; wget -q -O- {url}"];

    [Fact]
    public async Task Httpd_on_a_user_network_answers_by_name_and_by_alias()
    {
        var net = Daemon.Name("net");
        var prefix = NetHost.NewSubnetPrefix();
        var before = await NetHost.SnapshotAsync(D, net, prefix + ".");
        await D.Ok("network", "create", "--subnet", prefix + ".0/24", net);
        var bridge = "br-" + (await D.Ok("network", "inspect", "-f", "{{.Id}}", net))[..12];
        var web = Daemon.Name("web");
        var alias = "alias-" + NetHost.Hex();
        var content = "hello-" + NetHost.Hex();
        try
        {
            await D.Ok(["run", "-d", "--name", web, "--network", net, "--network-alias", alias, "busybox", .. Httpd(content)]);
            Assert.Equal(content, await D.Ok(["run", "--rm", "--network", net, "busybox", .. WgetRetry($"http://{web}/")]));
            Assert.Equal(content, await D.Ok(["run", "--rm", "--network", net, "busybox", .. WgetRetry($"http://{alias}/")]));
        }
        finally
        {
            await D.D("rm", "-f", web);
            await D.D("network", "rm", net);
        }
        Assert.Equal(before, await NetHost.SnapshotAsync(D, net, prefix + ".", bridge));
    }

    [Fact]
    public async Task Published_ports_answer_on_loopback_and_show_as_docker_shows_them()
    {
        var web = Daemon.Name("pub");
        var content = "pub-" + NetHost.Hex();
        var fixedPort = FreePort();
        try
        {
            await D.Ok(["run", "-d", "--name", web, "-p", "127.0.0.1::80", "-p", fixedPort + ":80", "busybox", .. Httpd(content)]);
            var ports = await D.Inspect(web, "{{json .NetworkSettings.Ports}}");
            var loopbackPort = await D.Inspect(web, "{{(index (index .NetworkSettings.Ports \"80/tcp\") 0).HostPort}}");
            // As dockerd on a host with IPv6: an all-address publication is 0.0.0.0 and :: (docker-proxy serves the latter).
            Assert.Equal($"{{\"80/tcp\":[{{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"{loopbackPort}\"}},{{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"{fixedPort}\"}},{{\"HostIp\":\"::\",\"HostPort\":\"{fixedPort}\"}}]}}", ports);
            // The CLI sorts `docker port` lines (docker/cli cli/command/container/port.go).
            Assert.Equal($"80/tcp -> 0.0.0.0:{fixedPort}\n80/tcp -> 127.0.0.1:{loopbackPort}\n80/tcp -> [::]:{fixedPort}", await D.Ok("port", web));
            Assert.Equal($"0.0.0.0:{fixedPort}\n127.0.0.1:{loopbackPort}\n[::]:{fixedPort}", await D.Ok("port", web, "80"));
            Assert.Equal(content, await GetAsync($"http://127.0.0.1:{loopbackPort}/"));
            Assert.Equal(content, await GetAsync($"http://127.0.0.1:{fixedPort}/"));
            Assert.Equal(content, await GetAsync($"http://[::1]:{fixedPort}/"));
            Assert.Contains($"0.0.0.0:{fixedPort}->80/tcp", await D.Ok("ps", "--filter", "name=" + web, "--format", "{{.Ports}}"));
        }
        finally
        {
            await D.D("rm", "-f", web);
        }
    }

    [Fact]
    public async Task Published_port_answers_from_the_hosts_own_address_and_from_another_container()
    {
        var web = Daemon.Name("hairpin");
        var content = "hp-" + NetHost.Hex();
        var port = FreePort();
        var hostIp = await HostAddressAsync();
        try
        {
            await D.Ok(["run", "-d", "--name", web, "-p", port + ":80", "busybox", .. Httpd(content)]);
            Assert.Equal(content, await GetAsync($"http://127.0.0.1:{port}/"));
            if (hostIp is not null)
            {
                Assert.Equal(content, await GetAsync($"http://{hostIp}:{port}/"));
                // Hairpin: another container on the same bridge reaches the published port through the host's address.
                Assert.Equal(content, await D.Ok(["run", "--rm", "busybox", .. WgetRetry($"http://{hostIp}:{port}/")]));
            }
            // …and through its own gateway (the bridge's address on the host).
            Assert.Equal(content, await D.Ok(["run", "--rm", "busybox", .. WgetRetry($"http://{fx.BridgeIp}:{port}/")]));
        }
        finally
        {
            await D.D("rm", "-f", web);
        }
    }

    [Fact]
    public async Task Publish_all_uses_the_images_exposed_ports()
    {
        var image = "e2e-expose-" + NetHost.Hex() + ":latest";
        await Images.ImportAsync(D, image, "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "EXPOSE 80");
        var web = Daemon.Name("pall");
        var content = "pall-" + NetHost.Hex();
        try
        {
            await D.Ok(["run", "-d", "--name", web, "-P", image, .. Httpd(content)]);
            var line = await D.Ok("port", web, "80/tcp");
            Assert.StartsWith("0.0.0.0:", line, StringComparison.Ordinal);
            var port = line.Split('\n')[0].Split(':')[1];
            Assert.Equal($"0.0.0.0:{port}\n[::]:{port}", line);
            Assert.Equal(content, await GetAsync($"http://127.0.0.1:{port}/"));
        }
        finally
        {
            await D.D("rm", "-f", web);
            await D.D("rmi", image);
        }
    }

    [Fact]
    public async Task A_port_range_and_udp_are_published()
    {
        var web = Daemon.Name("range");
        var content = "rg-" + NetHost.Hex();
        var first = FreePortPair();
        var udpPort = FreePort(udp: true);
        try
        {
            await D.Ok(["run", "-d", "--name", web, "-p", $"{first}-{first + 1}:80-81", "-p", $"127.0.0.1:{udpPort}:9999/udp", "busybox",
                "sh", "-c", $"mkdir -p /www && echo {content} > /www/index.html && httpd -p 81 -h /www && exec httpd -f -p 80 -h /www"]);
            Assert.Equal($"80/tcp -> 0.0.0.0:{first}\n80/tcp -> [::]:{first}\n81/tcp -> 0.0.0.0:{first + 1}\n81/tcp -> [::]:{first + 1}\n9999/udp -> 127.0.0.1:{udpPort}", string.Join('\n', (await D.Ok("port", web)).Split('\n').Order(StringComparer.Ordinal)));
            Assert.Equal(content, await GetAsync($"http://127.0.0.1:{first}/"));
            Assert.Equal(content, await GetAsync($"http://127.0.0.1:{first + 1}/"));

            // busybox has no UDP server: a host python3 listens inside the container's netns.
            var pid = await D.Inspect(web, "{{.State.Pid}}");
            var receiver = NetHost.RunAsync("timeout", "20", "nsenter", "--net=/proc/" + pid + "/ns/net", "python3", "-c",
                "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('0.0.0.0', 9999)); print(s.recvfrom(100)[0].decode(), flush=True)");
            using var udp = new UdpClient(AddressFamily.InterNetwork);
            var message = "udp-" + NetHost.Hex();
            for (var i = 0; i < 50 && !receiver.IsCompleted; i++)
            {
                await udp.SendAsync(System.Text.Encoding.ASCII.GetBytes(message), new IPEndPoint(IPAddress.Loopback, udpPort));
                await Task.WhenAny(receiver, Task.Delay(200));
            }
            Assert.Equal(message, (await receiver).Trim());
        }
        finally
        {
            await D.D("rm", "-f", web);
        }
    }

    [Fact]
    public async Task A_host_port_already_taken_fails_with_125_and_leaves_nothing()
    {
        using var taken = new TcpListener(IPAddress.Any, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var name = Daemon.Name("taken");
        var before = await NetHost.SnapshotAsync(D, fx.Bridge, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var r = await D.D("run", "-d", "--name", name, "-p", port + ":80", "busybox", "sleep", "60");
        try
        {
            r.Exit(125);
            Assert.Contains($"0.0.0.0:{port}", r.Stderr, StringComparison.Ordinal);
            Assert.Contains("already", r.Stderr, StringComparison.Ordinal);
            // docker keeps the created container (as "Created"); it must not run nor hold network state.
            Assert.Equal("", await D.Ok("ps", "-q", "--filter", "name=" + name));
            var id = (await D.D("inspect", "-f", "{{.Id}}", name)).Out;
            Assert.Equal(before, await NetHost.SnapshotAsync(D, fx.Bridge, port.ToString(System.Globalization.CultureInfo.InvariantCulture), id.Length > 0 ? id : name));
        }
        finally
        {
            await D.D("rm", "-f", name);
        }
    }

    /// <summary>GET over HTTP from the host, retried while the server starts.</summary>
    internal static async Task<string> GetAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        Exception? last = null;
        for (var i = 0; i < 40; i++)
        {
            try
            {
                return (await http.GetStringAsync(new Uri(url))).TrimEnd('\n');
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e;
                await Task.Delay(250);
            }
        }
        throw new Xunit.Sdk.XunitException($"GET {url} failed: {last?.Message}");
    }

    /// <summary>A host port nobody listens on now.</summary>
    internal static int FreePort(bool udp = false)
    {
        using var s = udp ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Any, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static int FreePortPair()
    {
        for (var i = 0; i < 100; i++)
        {
            var p = FreePort();
            try
            {
                using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                s.Bind(new IPEndPoint(IPAddress.Any, p + 1));
                return p;
            }
            catch (SocketException)
            {
            }
        }
        throw new InvalidOperationException("no two consecutive free ports");
    }

    /// <summary>The host's own address on its default-route interface (never contacted beyond the host itself), or null.</summary>
    internal static async Task<string?> HostAddressAsync()
    {
        var route = (await NetHost.RunAsync("ip", "-4", "route", "show", "default")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var dev = Array.IndexOf(route, "dev");
        if (dev < 0 || dev + 1 >= route.Length)
        {
            return null;
        }
        var addr = (await NetHost.RunAsync("ip", "-4", "-o", "addr", "show", "dev", route[dev + 1], "scope", "global")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var inet = Array.IndexOf(addr, "inet");
        return inet < 0 ? null : addr[inet + 1].Split('/')[0];
    }
}
