using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Quai.E2E.Tests.Infra;

namespace Quai.Clients.Tests;

/// <summary>A container's life through Docker.DotNet 3.125: create, attach, start, wait, logs, inspect, list, stop, remove.</summary>
public sealed class ContainerTests
{
    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Create_attach_start_wait_logs_remove(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        using var client = DockerClients.For(d);
        using var bind = new Quai.Testing.TempDir();
        await File.WriteAllTextAsync(Path.Combine(bind.Path, "in.txt"), "from-the-host");
        var name = Daemon.Name("dn-attach");
        var label = "quai.test=" + name;
        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = name,
            Image = "busybox:latest",
            Cmd = ["sh", "-c", "cat; echo \"$GREETING $(cat /in/in.txt)\"; echo oops >&2; exit 3"],
            Env = ["GREETING=hello"],
            Labels = new Dictionary<string, string> { ["quai.test"] = name },
            AttachStdin = true,
            AttachStdout = true,
            AttachStderr = true,
            OpenStdin = true,
            StdinOnce = true,
            HostConfig = new HostConfig { Binds = [bind.Path + ":/in:ro"], Memory = 64L * 1024 * 1024 },
        });
        try
        {
            Assert.Matches("^[0-9a-f]{64}$", created.ID);

            // Docker.DotNet's attach is the old hijack: no Upgrade header, a 200 and raw frames.
            using var attached = await client.Containers.AttachContainerAsync(created.ID, tty: false,
                new ContainerAttachParameters { Stream = true, Stdin = true, Stdout = true, Stderr = true });
            await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
            var input = Encoding.UTF8.GetBytes("piped-in\n");
            await attached.WriteAsync(input, 0, input.Length, CancellationToken.None);
            attached.CloseWrite();
            var (stdout, stderr) = await DockerClients.ReadAllAsync(attached, TimeSpan.FromSeconds(30));
            Assert.Equal("piped-in\nhello from-the-host\n", stdout);
            Assert.Equal("oops\n", stderr);

            var waited = await client.Containers.WaitContainerAsync(created.ID);
            Assert.Equal(3, waited.StatusCode);

            using var logs = await client.Containers.GetContainerLogsAsync(created.ID, tty: false,
                new ContainerLogsParameters { ShowStdout = true, ShowStderr = true });
            var (logOut, logErr) = await DockerClients.ReadAllAsync(logs, TimeSpan.FromSeconds(30));
            Assert.Equal("piped-in\nhello from-the-host\n", logOut);
            Assert.Equal("oops\n", logErr);

            var inspect = await client.Containers.InspectContainerAsync(created.ID);
            // until=0 is "no bound" (Testcontainers asks since=<created>&until=0 for its log waits).
            var createdSeconds = new DateTimeOffset(inspect.Created.ToUniversalTime()).ToUnixTimeSeconds();
            using var bounded = await client.Containers.GetContainerLogsAsync(created.ID, tty: false,
                new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Since = createdSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), Until = "0" });
            Assert.Equal(("piped-in\nhello from-the-host\n", "oops\n"), await DockerClients.ReadAllAsync(bounded, TimeSpan.FromSeconds(30)));
            Assert.Equal("/" + name, inspect.Name);
            Assert.False(inspect.State.Running);
            Assert.Equal(3, inspect.State.ExitCode);
            Assert.Equal("exited", inspect.State.Status);
            Assert.Contains("GREETING=hello", inspect.Config.Env);
            Assert.Equal(name, inspect.Config.Labels["quai.test"]);
            Assert.Equal(64L * 1024 * 1024, inspect.HostConfig.Memory);
            Assert.Equal([bind.Path + ":/in:ro"], inspect.HostConfig.Binds);
            var mount = Assert.Single(inspect.Mounts);
            Assert.Equal(bind.Path, mount.Source);
            Assert.Equal("/in", mount.Destination);
            Assert.False(mount.RW);

            var listed = await client.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [label] = true } },
            });
            var only = Assert.Single(listed);
            Assert.Equal(created.ID, only.ID);
            Assert.Equal(["/" + name], only.Names);
            Assert.Equal("exited", only.State);
            var running = await client.Containers.ListContainersAsync(new ContainersListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [label] = true } },
            });
            Assert.Empty(running);
        }
        finally
        {
            await client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true });
        }
        var gone = await Assert.ThrowsAsync<DockerContainerNotFoundException>(() => client.Containers.InspectContainerAsync(created.ID));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Stop_a_running_container_and_remove_it(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        using var client = DockerClients.For(d);
        var name = Daemon.Name("dn-stop");
        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = name,
            Image = "busybox:latest",
            Cmd = ["sleep", "1000"],
        });
        try
        {
            Assert.True(await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters()));
            var inspect = await client.Containers.InspectContainerAsync(name);
            Assert.True(inspect.State.Running);
            Assert.True(inspect.State.Pid > 0);
            var listed = await client.Containers.ListContainersAsync(new ContainersListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["name"] = new Dictionary<string, bool> { [name] = true } },
            });
            Assert.Equal("running", Assert.Single(listed).State);

            // sleep ignores SIGTERM as pid 1, so stop sends SIGKILL after the grace period.
            Assert.True(await client.Containers.StopContainerAsync(created.ID, new ContainerStopParameters { WaitBeforeKillSeconds = 1 }));
            inspect = await client.Containers.InspectContainerAsync(name);
            Assert.False(inspect.State.Running);
            Assert.Equal(137, inspect.State.ExitCode);
            // A second stop of a stopped container is a 304, which Docker.DotNet reports as false.
            Assert.False(await client.Containers.StopContainerAsync(created.ID, new ContainerStopParameters { WaitBeforeKillSeconds = 1 }));
        }
        finally
        {
            await client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true });
        }
        var all = await client.Containers.ListContainersAsync(new ContainersListParameters { All = true });
        Assert.DoesNotContain(all, c => c.ID == created.ID);
    }
}
