using System.Runtime.CompilerServices;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Images;
using Quai.E2E.Tests.Infra;

namespace Quai.Testcontainers.Tests;

/// <summary>
/// Testcontainers for .NET 4.16 as a test suite uses it: build, wait for a log line, exec, logs,
/// a published port, dispose. Ryuk is off (no testcontainers/ryuk image here) and the pull policy
/// is "missing", so busybox:latest, already imported, is never pulled.
/// </summary>
public sealed class ContainerBuilderTests
{
    [ModuleInitializer]
    internal static void DisableRyuk()
    {
        Environment.SetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED", "true");
        TestcontainersSettings.ResourceReaperEnabled = false;
    }

    [Fact]
    public async Task Start_wait_exec_logs_port_dispose()
    {
        var d = await Daemons.GetAsync("quaid");
        var name = Daemon.Name("tc");
        var builder = new ContainerBuilder("busybox:latest")
            .WithDockerEndpoint("unix://" + d.Socket)
            .WithImagePullPolicy(PullPolicy.Missing)
            .WithName(name)
            .WithEnvironment("WHO", "testcontainers")
            .WithCommand("sh", "-c", "mkdir -p /www && echo hello-$WHO > /www/index.html && echo starting && sleep 0.3 && echo ready && exec httpd -f -p 80 -h /www")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("ready"))
            .WithPortBinding(80, assignRandomHostPort: true);
        var container = builder.Build();
        string id;
        await using (container)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await container.StartAsync(cts.Token);
            id = container.Id;
            Assert.Matches("^[0-9a-f]{64}$", id);
            Assert.Equal("true", await d.Inspect(name, "{{.State.Running}}"));

            var exec = await container.ExecAsync(["sh", "-c", "cat /www/index.html; echo err >&2; exit 4"]);
            Assert.Equal("hello-testcontainers\n", exec.Stdout);
            Assert.Equal("err\n", exec.Stderr);
            Assert.Equal(4, exec.ExitCode);

            var (stdout, stderr) = await container.GetLogsAsync(timestampsEnabled: false);
            Assert.Equal("starting\nready\n", stdout);
            Assert.Equal("", stderr);

            var port = container.GetMappedPublicPort(80);
            Assert.NotEqual(80, port);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var body = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/index.html"));
            Assert.Equal("hello-testcontainers\n", body);
        }
        var left = await d.Ok("ps", "-aq", "--no-trunc", "--filter", "id=" + id);
        Assert.Equal("", left);
    }

    [Fact]
    public async Task A_one_shot_container_logs_and_exit_code()
    {
        var d = await Daemons.GetAsync("quaid");
        var container = new ContainerBuilder("busybox:latest")
            .WithDockerEndpoint("unix://" + d.Socket)
            .WithImagePullPolicy(PullPolicy.Missing)
            .WithName(Daemon.Name("tc-exit"))
            .WithCommand("sh", "-c", "echo done; exit 3")
            // One-shot: the container is expected to exit, so the wait does not fail on "exited".
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("done", o => o.WithMode(WaitStrategyMode.OneShot)))
            .Build();
        await using (container)
        {
            await container.StartAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            Assert.Equal(3, await container.GetExitCodeAsync(cts.Token));
            Assert.Equal("done\n", (await container.GetLogsAsync(timestampsEnabled: false)).Stdout);
            Assert.Equal("exited 3", await d.Inspect(container.Id, "{{.State.Status}} {{.State.ExitCode}}"));
        }
    }

    /// <summary>
    /// The difference with the reference daemon: Testcontainers 4.16 (Docker.DotNet.Enhanced 4.3)
    /// always speaks API 1.44, and Debian's dockerd 20.10 stops at 1.41, so it refuses the first
    /// versioned request; quaid answers 1.44 (the tests above).
    /// </summary>
    [Fact]
    public async Task Dockerd_20_10_refuses_the_api_version_testcontainers_speaks()
    {
        var d = await Daemons.GetAsync("dockerd");
        var container = new ContainerBuilder("busybox:latest")
            .WithDockerEndpoint("unix://" + d.Socket)
            .WithImagePullPolicy(PullPolicy.Missing)
            .WithName(Daemon.Name("tc-old"))
            .WithCommand("true")
            .Build();
        await using (container)
        {
            var e = await Assert.ThrowsAsync<Docker.DotNet.DockerApiException>(() => container.StartAsync());
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, e.StatusCode);
            Assert.Contains("client version 1.44 is too new", e.ResponseBody, StringComparison.Ordinal);
        }
    }
}
