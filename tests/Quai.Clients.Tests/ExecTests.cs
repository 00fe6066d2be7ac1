using Docker.DotNet.Models;
using Quai.E2E.Tests.Infra;

namespace Quai.Clients.Tests;

/// <summary>Exec through Docker.DotNet 3.125: create, start-and-attach, inspect's exit code.</summary>
public sealed class ExecTests
{
    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Exec_output_and_exit_code(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        using var client = DockerClients.For(d);
        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = Daemon.Name("dn-exec"),
            Image = "busybox:latest",
            Cmd = ["sleep", "1000"],
        });
        try
        {
            await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
            var exec = await client.Exec.ExecCreateContainerAsync(created.ID, new ContainerExecCreateParameters
            {
                AttachStdout = true,
                AttachStderr = true,
                Cmd = ["sh", "-c", "echo out:$X; echo err >&2; exit 7"],
                Env = ["X=42"],
                WorkingDir = "/tmp",
            });
            Assert.False(string.IsNullOrEmpty(exec.ID));
            using (var stream = await client.Exec.StartAndAttachContainerExecAsync(exec.ID, tty: false))
            {
                var (stdout, stderr) = await DockerClients.ReadAllAsync(stream, TimeSpan.FromSeconds(30));
                Assert.Equal("out:42\n", stdout);
                Assert.Equal("err\n", stderr);
            }
            var inspect = await client.Exec.InspectContainerExecAsync(exec.ID);
            Assert.False(inspect.Running);
            Assert.Equal(7, inspect.ExitCode);
            Assert.Equal(created.ID, inspect.ContainerID);

            var pwd = await client.Exec.ExecCreateContainerAsync(created.ID, new ContainerExecCreateParameters
            {
                AttachStdout = true,
                Cmd = ["pwd"],
                WorkingDir = "/tmp",
            });
            using (var stream = await client.Exec.StartAndAttachContainerExecAsync(pwd.ID, tty: false))
            {
                Assert.Equal("/tmp\n", (await DockerClients.ReadAllAsync(stream, TimeSpan.FromSeconds(30))).Stdout);
            }
            Assert.Equal(0, (await client.Exec.InspectContainerExecAsync(pwd.ID)).ExitCode);
        }
        finally
        {
            await client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true });
        }
    }
}
