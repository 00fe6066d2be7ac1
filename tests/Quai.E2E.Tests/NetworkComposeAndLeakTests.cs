using System.Diagnostics;
using System.Globalization;
using Quai.E2E.Tests.Infra;
using Xunit.Abstractions;

namespace Quai.E2E.Tests;

/// <summary>
/// Issue #5, cases 9 and 11: docker-compose 1.29 services reaching each other by name, then
/// `down -v` leaving nothing; and many `docker run --rm` cycles on the default bridge leaving no
/// link, netns, iptables rule or IPAM lease behind.
/// </summary>
public sealed class NetworkComposeAndLeakTests(NetQuaidFixture fx, ITestOutputHelper output) : IClassFixture<NetQuaidFixture>
{
    private Daemon D => fx.D;

    [Fact]
    public async Task Compose_services_reach_each_other_by_name_and_down_leaves_nothing()
    {
        var project = "e2enet" + NetHost.Hex();
        var dir = Path.Combine(D.Dir, project);
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "docker-compose.yml");
        await File.WriteAllTextAsync(file, """
            version: "3"
            services:
              web:
                image: busybox
                command: ["sh", "-c", "mkdir -p /www && echo compose-ok > /www/index.html && exec httpd -f -p 80 -h /www"]
              client:
                image: busybox
                command: ["sleep", "600"]
            """);
        var before = await NetHost.SnapshotAsync(D, fx.Bridge, project);
        var networksBefore = await D.Ok("network", "ls", "-q");
        try
        {
            (await D.ShAsync($"docker-compose -p {project} -f {file} up -d", timeout: TimeSpan.FromSeconds(120))).Ok();
            var client = await D.Ok("ps", "-q", "--filter", $"label=com.docker.compose.project={project}", "--filter", "label=com.docker.compose.service=client");
            Assert.Equal("compose-ok", await D.Ok(["exec", client, .. NetworkServiceTests.WgetRetry("http://web/")]));
            Assert.Equal("compose-ok", await D.Ok(["exec", client, .. NetworkServiceTests.WgetRetry($"http://{project}_web_1/")]));
        }
        finally
        {
            (await D.ShAsync($"docker-compose -p {project} -f {file} down -v", timeout: TimeSpan.FromSeconds(120))).Ok();
        }
        Assert.Equal("", await D.Ok("ps", "-aq", "--filter", $"label=com.docker.compose.project={project}"));
        Assert.Equal(networksBefore, await D.Ok("network", "ls", "-q"));
        Assert.Equal(before, await NetHost.SnapshotAsync(D, fx.Bridge, project));
    }

    [Fact]
    public async Task Many_run_rm_cycles_on_the_default_bridge_leave_nothing_behind()
    {
        var cycles = int.TryParse(Environment.GetEnvironmentVariable("QUAI_E2E_NET_CYCLES"), CultureInfo.InvariantCulture, out var n) ? n : 40;
        var subnet = fx.BridgeIp[..fx.BridgeIp.LastIndexOf('.')] + ".";
        var before = await NetHost.SnapshotAsync(D, fx.Bridge, subnet);
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < cycles; i++)
        {
            (await D.D("run", "--rm", "busybox", "true")).Ok();
        }
        output.WriteLine($"{cycles} `docker run --rm busybox true` cycles in {sw.Elapsed.TotalSeconds:F1} s");
        Assert.Equal("", await D.Ok("ps", "-aq", "--filter", "ancestor=busybox", "--filter", "status=exited"));
        Assert.Equal(before, await NetHost.SnapshotAsync(D, fx.Bridge, subnet));
    }
}
