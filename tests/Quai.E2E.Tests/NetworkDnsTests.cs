using System.Text.RegularExpressions;
using Quai.E2E.Tests.Infra;

namespace Quai.E2E.Tests;

/// <summary>
/// Issue #5, case 7: --dns, --dns-search, --dns-option, --add-host (and host-gateway),
/// --hostname and --domainname give the /etc/resolv.conf, /etc/hosts and /etc/hostname docker
/// writes: compared line for line with the private dockerd's on a user network (its default
/// bridge is off), addresses aside.
/// </summary>
public sealed partial class NetworkDnsTests(NetQuaidFixture fx) : IClassFixture<NetQuaidFixture>
{
    private static readonly string[] DnsFlags =
    [
        "--dns", "10.0.0.53", "--dns-search", "example.test", "--dns-option", "ndots:2", "--add-host", "h:1.2.3.4",
        "--hostname", "myhost", "--domainname", "example.org",
    ];

    private const string Show = "cat /etc/resolv.conf; echo ---; cat /etc/hosts; echo ---; cat /etc/hostname; echo ---; hostname; ip -4 -o addr show eth0 | awk '{print $4}'";

    [Fact]
    public async Task Dns_and_hosts_files_on_a_user_network_are_written_as_docker_writes_them()
    {
        var dockerd = await Daemons.GetAsync("dockerd");
        var outputs = new List<string>();
        foreach (var d in new[] { fx.D, dockerd })
        {
            var net = Daemon.Name("dnsnet");
            await d.Ok("network", "create", "--subnet", NetHost.NewSubnetPrefix() + ".0/24", net);
            try
            {
                outputs.Add(Normalize(await d.Ok(["run", "--rm", "--network", net, .. DnsFlags, "busybox", "sh", "-c", Show])));
            }
            finally
            {
                await d.D("network", "rm", net);
            }
        }
        Assert.Equal(outputs[1], outputs[0]);
        Assert.Contains("nameserver 127.0.0.11", outputs[0], StringComparison.Ordinal);
        Assert.Contains("1.2.3.4\th\n", outputs[0], StringComparison.Ordinal);
        Assert.Contains("IP\tmyhost.example.org myhost\n", outputs[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dns_options_on_the_default_bridge_and_host_gateway()
    {
        var text = await fx.D.Ok(["run", "--rm", .. DnsFlags, "--add-host", "gw:host-gateway", "busybox", "sh", "-c", Show]);
        var parts = text.Split("---\n");
        Assert.Equal("search example.test\nnameserver 10.0.0.53\noptions ndots:2\n", parts[0]);
        Assert.Contains("1.2.3.4\th\n", parts[1], StringComparison.Ordinal);
        // host-gateway is the default bridge's address on the host (dockerd's docker0 address).
        Assert.Contains(fx.BridgeIp + "\tgw\n", parts[1], StringComparison.Ordinal);
        Assert.StartsWith("127.0.0.1\tlocalhost\n", parts[1], StringComparison.Ordinal);
        Assert.Equal("myhost\n", parts[2]);
        Assert.StartsWith("myhost\n", parts[3], StringComparison.Ordinal);
        var ip = parts[3].Split('\n')[1].Split('/')[0];
        Assert.Contains(ip + "\tmyhost.example.org myhost\n", parts[1], StringComparison.Ordinal);

        // On a user network host-gateway is the same host address (docker: the default bridge's).
        var net = Daemon.Name("gwnet");
        await fx.D.Ok("network", "create", "--subnet", NetHost.NewSubnetPrefix() + ".0/24", net);
        try
        {
            var hosts = await fx.D.Ok("run", "--rm", "--network", net, "--add-host", "gw:host-gateway", "busybox", "cat", "/etc/hosts");
            Assert.Contains(fx.BridgeIp + "\tgw\n", hosts + "\n", StringComparison.Ordinal);
        }
        finally
        {
            await fx.D.D("network", "rm", net);
        }
    }

    private static string Normalize(string text) => Ipv4().Replace(text, m => m.Value.StartsWith("10.213.", StringComparison.Ordinal) || m.Value.StartsWith("172.", StringComparison.Ordinal) ? "IP" : m.Value)
        .Replace("IP/24", "IP", StringComparison.Ordinal);

    [GeneratedRegex(@"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b")]
    private static partial Regex Ipv4();
}
