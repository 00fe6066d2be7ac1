using System.Text;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Images;
using Quai.E2E.Tests.Infra;

namespace Quai.Testcontainers.Tests;

/// <summary>
/// Testcontainers' other building blocks on quaid: its own network with an alias, a named volume,
/// a file copied in before start (archive PUT), read back (archive GET), the internal-port wait
/// (an exec probe), stop and start again, and everything removed on dispose.
/// </summary>
public sealed class NetworkVolumeTests
{
    [Fact]
    public async Task Two_containers_on_a_network_with_a_volume_and_a_copied_file()
    {
        var d = await Daemons.GetAsync("quaid");
        var endpoint = "unix://" + d.Socket;
        var (networkName, volumeName) = (Daemon.Name("tc-net"), Daemon.Name("tc-vol"));
        var network = new NetworkBuilder().WithDockerEndpoint(endpoint).WithName(networkName).Build();
        var volume = new VolumeBuilder().WithDockerEndpoint(endpoint).WithName(volumeName).Build();
        await using (network)
        await using (volume)
        {
            await network.CreateAsync();
            await volume.CreateAsync();
            var web = new ContainerBuilder("busybox:latest")
                .WithDockerEndpoint(endpoint)
                .WithImagePullPolicy(PullPolicy.Missing)
                .WithName(Daemon.Name("tc-web"))
                .WithNetwork(network)
                .WithNetworkAliases("web")
                .WithVolumeMount(volume, "/data")
                .WithResourceMapping(Encoding.UTF8.GetBytes("copied-before-start\n"), "/www/index.html")
                // sh as pid 1 traps SIGTERM so that StopAsync need not wait for its 10 s SIGKILL.
                .WithCommand("sh", "-c", "cp /www/index.html /data/page; trap 'kill $!; exit 0' TERM; httpd -f -p 80 -h /www & wait")
                .WithWaitStrategy(Wait.ForUnixContainer().UntilInternalTcpPortIsAvailable(80))
                .Build();
            var client = new ContainerBuilder("busybox:latest")
                .WithDockerEndpoint(endpoint)
                .WithImagePullPolicy(PullPolicy.Missing)
                .WithName(Daemon.Name("tc-client"))
                .WithNetwork(network)
                .WithVolumeMount(volume, "/shared")
                .WithCommand("sleep", "1000")
                .Build();
            string webId, clientId;
            await using (web)
            await using (client)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await web.StartAsync(cts.Token);
                await client.StartAsync(cts.Token);
                webId = web.Id;
                clientId = client.Id;

                var fetched = await client.ExecAsync(["wget", "-q", "-O", "-", "http://web/index.html"], cts.Token);
                Assert.True(fetched.ExitCode == 0, fetched.Stderr);
                Assert.Equal("copied-before-start\n", fetched.Stdout);
                Assert.Equal("copied-before-start\n", Encoding.UTF8.GetString(await client.ReadFileAsync("/shared/page", cts.Token)));

                // Into the running container's own filesystem. (Copying to a path under a volume
                // mount through an archive PUT at "/" still lands in the rootfs on quaid, where
                // dockerd writes the volume: see the report of the clients branch.)
                await client.CopyAsync(Encoding.UTF8.GetBytes("copied-while-running\n"), "/tmp/second", ct: cts.Token);
                Assert.Equal("copied-while-running\n", (await client.ExecAsync(["cat", "/tmp/second"], cts.Token)).Stdout);

                await web.StopAsync(cts.Token);
                Assert.Equal("false", await d.Inspect(webId, "{{.State.Running}}"));
                await web.StartAsync(cts.Token);
                fetched = await client.ExecAsync(["wget", "-q", "-O", "-", "http://web/index.html"], cts.Token);
                Assert.Equal("copied-before-start\n", fetched.Stdout);
            }
            Assert.Equal("", await d.Ok("ps", "-aq", "--filter", "id=" + webId, "--filter", "id=" + clientId));
        }
        Assert.DoesNotContain(networkName, (await d.Ok("network", "ls", "--format", "{{.Name}}")).Split('\n'));
        Assert.DoesNotContain(volumeName, (await d.Ok("volume", "ls", "--format", "{{.Name}}")).Split('\n'));
    }
}
