using System.Net;
using Quai.E2E.Tests.Infra;

namespace Quai.E2E.Tests;

/// <summary>
/// Issue #5, cases 8 and 10, each on a private quaid: names the embedded DNS forwards to a
/// loopback upstream of the test's own (daemon.json "dns"), and a kill -9 of quaid with a
/// running, published, named container on a user network.
/// </summary>
public sealed class NetworkDaemonTests
{
    [Fact]
    public async Task Names_are_forwarded_to_a_loopback_upstream_from_user_networks_and_the_default_bridge()
    {
        using var upstream = new NetUpstreamDns(new() { ["upstream-only.test"] = IPAddress.Parse("10.1.2.3") });
        var (d, bridge, _) = await NetHost.StartQuaidAsync($"\"dns\": [\"{upstream.Address}\"]");
        var net = Daemon.Name("fwd");
        try
        {
            await d.Ok("network", "create", "--subnet", NetHost.NewSubnetPrefix() + ".0/24", net);
            foreach (var network in new[] { net, "bridge" })
            {
                var r = await d.D("run", "--rm", "--network", network, "busybox", "nslookup", "upstream-only.test");
                Assert.True(r.ExitCode == 0 && r.Stdout.Contains("10.1.2.3", StringComparison.Ordinal), $"on {network}: {r}\n{await d.Ok("run", "--rm", "--network", network, "busybox", "cat", "/etc/resolv.conf")}");
                var missing = await d.D("run", "--rm", "--network", network, "busybox", "nslookup", "not-there.test");
                Assert.NotEqual(0, missing.ExitCode);
            }
            Assert.True(upstream.Queries > 0);
        }
        finally
        {
            await d.D("network", "rm", net);
            await NetHost.DisposeQuaidAsync(d, bridge);
        }
    }

    [Fact]
    public async Task After_quaid_is_killed_and_restarted_published_ports_and_names_still_work_and_rm_cleans_up()
    {
        var (d, bridge, _) = await NetHost.StartQuaidAsync();
        var net = Daemon.Name("surv");
        var prefix = NetHost.NewSubnetPrefix();
        var web = Daemon.Name("web");
        var peer = Daemon.Name("peer");
        var content = "survive-" + NetHost.Hex();
        var port = NetworkServiceTests.FreePort();
        try
        {
            var before = await NetHost.SnapshotAsync(d, prefix + ".");
            await d.Ok("network", "create", "--subnet", prefix + ".0/24", net);
            await d.Ok(["run", "-d", "--name", web, "--network", net, "-p", port + ":80", "busybox", .. NetworkServiceTests.Httpd(content)]);
            await d.Ok("run", "-d", "--name", peer, "--network", net, "busybox", "sleep", "600");
            Assert.Equal(content, await NetworkServiceTests.GetAsync($"http://127.0.0.1:{port}/"));
            Assert.Equal(content, await d.Ok(["exec", peer, .. NetworkServiceTests.WgetRetry($"http://{web}/")]));

            await d.StopAsync(kill: true);
            Assert.Equal(content, await NetworkServiceTests.GetAsync($"http://127.0.0.1:{port}/"));
            await d.StartAsync();

            Assert.Equal(content, await NetworkServiceTests.GetAsync($"http://127.0.0.1:{port}/"));
            Assert.Equal(content, await d.Ok(["exec", peer, .. NetworkServiceTests.WgetRetry($"http://{web}/")]));
            Assert.Equal($"0.0.0.0:{port}\n[::]:{port}", await d.Ok("port", web, "80"));
            Assert.Equal(content, await NetworkServiceTests.GetAsync($"http://[::1]:{port}/"));
            // The port is still held: another container cannot take it.
            var clash = await d.D("run", "-d", "--name", Daemon.Name("clash"), "-p", port + ":80", "busybox", "sleep", "5");
            Assert.Equal(125, clash.ExitCode);

            await d.Ok("rm", "-f", web, peer);
            await d.Ok("network", "rm", net);
            Assert.Equal(before, await NetHost.SnapshotAsync(d, prefix + "."));
        }
        finally
        {
            await NetHost.DisposeQuaidAsync(d, bridge);
        }
    }
}
