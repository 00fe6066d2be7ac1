using Docker.DotNet;
using Docker.DotNet.Models;
using Quai.E2E.Tests.Infra;

namespace Quai.Clients.Tests;

/// <summary>Images, volumes, networks and the system routes through Docker.DotNet 3.125.</summary>
public sealed class ResourceTests
{
    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Images_list_and_inspect(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        using var client = DockerClients.For(d);
        var images = await client.Images.ListImagesAsync(new ImagesListParameters());
        var busybox = Assert.Single(images, i => i.RepoTags?.Contains("busybox:latest") == true);
        Assert.StartsWith("sha256:", busybox.ID, StringComparison.Ordinal);
        Assert.True(busybox.Size > 0);
        var filtered = await client.Images.ListImagesAsync(new ImagesListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["reference"] = new Dictionary<string, bool> { ["busybox"] = true } },
        });
        Assert.Equal(busybox.ID, Assert.Single(filtered).ID);

        var inspect = await client.Images.InspectImageAsync("busybox:latest");
        Assert.Equal(busybox.ID, inspect.ID);
        Assert.Contains("busybox:latest", inspect.RepoTags);
        Assert.Equal(["sh"], inspect.Config.Cmd);
        Assert.Equal("linux", inspect.Os);
        Assert.Equal("amd64", inspect.Architecture);
        Assert.Equal("layers", inspect.RootFS.Type);
        Assert.Single(inspect.RootFS.Layers);
        await Assert.ThrowsAsync<DockerImageNotFoundException>(() => client.Images.InspectImageAsync("no-such-image:" + Daemon.Name("x")));
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Volumes_create_list_inspect_remove(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        using var client = DockerClients.For(d);
        var name = Daemon.Name("dn-vol");
        var created = await client.Volumes.CreateAsync(new VolumesCreateParameters
        {
            Name = name,
            Labels = new Dictionary<string, string> { ["quai.test"] = "yes" },
        });
        try
        {
            Assert.Equal(name, created.Name);
            Assert.Equal("local", created.Driver);
            Assert.Equal(Path.Combine(d.DataRoot, "volumes", name, "_data"), created.Mountpoint);
            Assert.Equal("yes", created.Labels["quai.test"]);
            var list = await client.Volumes.ListAsync();
            Assert.Contains(list.Volumes, v => v.Name == name);
            var inspect = await client.Volumes.InspectAsync(name);
            Assert.Equal(created.Mountpoint, inspect.Mountpoint);
        }
        finally
        {
            await client.Volumes.RemoveAsync(name);
        }
        Assert.DoesNotContain((await client.Volumes.ListAsync()).Volumes ?? [], v => v.Name == name);
        var missing = await Assert.ThrowsAsync<DockerApiException>(() => client.Volumes.InspectAsync(name));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Networks_list_has_host_and_none(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        using var client = DockerClients.For(d);
        var networks = await client.Networks.ListNetworksAsync(new NetworksListParameters());
        var names = networks.Select(n => n.Name).ToList();
        Assert.Contains("host", names);
        Assert.Contains("none", names);
        Assert.All(networks, n => Assert.Matches("^[0-9a-f]{64}$", n.ID));
        Assert.Equal("null", networks.Single(n => n.Name == "none").Driver);
        Assert.Equal("local", networks.Single(n => n.Name == "host").Scope);
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task System_ping_version_info(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        using var client = DockerClients.For(d);
        await client.System.PingAsync();
        var version = await client.System.GetVersionAsync();
        Assert.Matches(@"^1\.\d\d$", version.APIVersion);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Version);
        Assert.Equal("linux", version.Os);
        Assert.Equal("amd64", version.Arch);
        var info = await client.System.GetSystemInfoAsync();
        Assert.False(string.IsNullOrEmpty(info.ID));
        Assert.Equal(d.DataRoot, info.DockerRootDir);
        Assert.True(info.Images >= 1);
        Assert.True(info.NCPU >= 1);
        Assert.True(info.MemTotal > 0);
        Assert.Equal("linux", info.OSType);
        Assert.Equal("x86_64", info.Architecture);
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Events_report_a_start(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        using var client = DockerClients.For(d);
        var name = Daemon.Name("dn-events");
        var started = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var monitor = client.System.MonitorEventsAsync(
            new ContainerEventsParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["type"] = new Dictionary<string, bool> { ["container"] = true },
                    ["container"] = new Dictionary<string, bool> { [name] = true },
                },
            },
            new Progress(m => { if (m.Action == "start") { started.TrySetResult(m); } }),
            cts.Token);
        // The events stream has no "subscribed" signal: give the request a moment to reach the daemon.
        await Task.Delay(500);
        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters { Name = name, Image = "busybox:latest", Cmd = ["true"] });
        try
        {
            await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
            var message = await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal("container", message.Type);
            Assert.Equal(created.ID, message.Actor.ID);
            Assert.Equal(name, message.Actor.Attributes["name"]);
            Assert.Equal("busybox:latest", message.Actor.Attributes["image"]);
            Assert.True(message.TimeNano > 0);
        }
        finally
        {
            await cts.CancelAsync();
            try
            {
                await monitor;
            }
            catch (OperationCanceledException)
            {
            }
            await client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true });
        }
    }

    // Synchronous IProgress: Progress<T> would post to the thread pool and could reorder messages.
    private sealed class Progress(Action<Message> onMessage) : IProgress<Message>
    {
        public void Report(Message value) => onMessage(value);
    }
}
