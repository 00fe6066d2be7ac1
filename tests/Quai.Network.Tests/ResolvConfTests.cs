using Quai.Network.Files;

namespace Quai.Network.Tests;

public sealed class ResolvConfTests
{
    private const string Host = "# managed\nsearch corp.example lab.example\nnameserver 127.0.0.53\nnameserver 10.255.255.53\nnameserver 2001:db8::1\noptions edns0 timeout:2\n";

    [Fact]
    public void User_networks_point_at_127_0_0_11_with_host_search_options_and_ndots_0()
    {
        var rc = ResolvConf.ForContainer(Host, embeddedDns: true);

        Assert.Equal("search corp.example lab.example\nnameserver 127.0.0.11\noptions edns0 timeout:2 ndots:0\n", rc.Content);
        Assert.Equal(["10.255.255.53"], rc.UpstreamNameservers);
    }

    [Fact]
    public void The_default_bridge_gets_the_host_file_without_localhost_and_ipv6_servers()
    {
        var rc = ResolvConf.ForContainer(Host, embeddedDns: false);

        Assert.Equal("# managed\nsearch corp.example lab.example\nnameserver 10.255.255.53\noptions edns0 timeout:2\n", rc.Content);
        Assert.Equal(["10.255.255.53"], rc.UpstreamNameservers);
    }

    [Fact]
    public void Only_localhost_servers_fall_back_to_8_8_8_8_in_the_file()
    {
        var rc = ResolvConf.ForContainer("nameserver 127.0.0.1\n", embeddedDns: false);
        Assert.Equal("\nnameserver 8.8.8.8\nnameserver 8.8.4.4", rc.Content);

        var user = ResolvConf.ForContainer("nameserver 127.0.0.1\n", embeddedDns: true);
        Assert.Equal("nameserver 127.0.0.11\noptions ndots:0\n", user.Content);
        Assert.Equal(["8.8.8.8", "8.8.4.4"], user.UpstreamNameservers);
    }

    [Fact]
    public void Dns_overrides_replace_the_hosts_values()
    {
        var overrides = new DnsOverrides { Nameservers = ["192.0.2.10"], Search = ["svc.local"], Options = ["ndots:3"] };

        var bridge = ResolvConf.ForContainer(Host, embeddedDns: false, overrides);
        var user = ResolvConf.ForContainer(Host, embeddedDns: true, overrides);

        Assert.Equal("search svc.local\nnameserver 192.0.2.10\noptions ndots:3\n", bridge.Content);
        Assert.Equal("search svc.local\nnameserver 127.0.0.11\noptions ndots:3\n", user.Content);
        Assert.Equal(["192.0.2.10"], user.UpstreamNameservers);
    }

    [Fact]
    public void Parse_takes_every_nameserver_and_the_last_search_and_options()
    {
        var data = ResolvConf.Parse("nameserver 1.1.1.1\nsearch a\nsearch b c\n; comment\nnameserver 9.9.9.9\noptions rotate\n");
        Assert.Equal(["1.1.1.1", "9.9.9.9"], data.Nameservers);
        Assert.Equal(["b", "c"], data.Search);
        Assert.Equal(["rotate"], data.Options);
    }

    [Fact]
    public void A_systemd_resolved_stub_is_replaced_by_the_real_servers_file()
    {
        using var temp = new Quai.Testing.TempDir("quai-resolv");
        File.WriteAllText(temp.Combine("resolv.conf"), "nameserver 127.0.0.53\n");
        File.WriteAllText(temp.Combine("real.conf"), "nameserver 192.0.2.53\n");
        Assert.Equal("nameserver 192.0.2.53\n", ResolvConf.ReadHost(temp.Combine("resolv.conf"), temp.Combine("real.conf")));
    }
}
