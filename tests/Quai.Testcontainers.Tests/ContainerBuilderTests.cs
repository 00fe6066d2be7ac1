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

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Start_wait_exec_logs_port_dispose(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var name = Daemon.Name("tc");
        var builder = new ContainerBuilder("busybox:latest")
            .WithDockerEndpoint("unix://" + d.Socket)
            .WithImagePullPolicy(PullPolicy.Missing)
            .WithName(name)
            .WithEnvironment("WHO", "testcontainers")
            .WithCommand("sh", "-c", "mkdir -p /www && echo hello-$WHO > /www/index.html && echo starting && sleep 0.3 && echo ready && exec httpd -f -p 80 -h /www")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("ready"));
        // The private dockerd runs with --bridge=none --iptables=false: it has no network to
        // publish a port from, so only quaid's container gets one.
        if (d.IsQuaid)
        {
            builder = builder.WithPortBinding(80, assignRandomHostPort: true);
        }
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

            if (d.IsQuaid)
            {
                var port = container.GetMappedPublicPort(80);
                Assert.NotEqual(80, port);
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                var body = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/index.html"));
                Assert.Equal("hello-testcontainers\n", body);
            }
        }
        var left = await d.Ok("ps", "-aq", "--no-trunc", "--filter", "id=" + id);
        Assert.Equal("", left);
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task A_wait_strategy_sees_an_exit_code(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var container = new ContainerBuilder("busybox:latest")
            .WithDockerEndpoint("unix://" + d.Socket)
            .WithImagePullPolicy(PullPolicy.Missing)
            .WithName(Daemon.Name("tc-exit"))
            .WithCommand("sh", "-c", "echo done; exit 3")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("done"))
            .Build();
        await using (container)
        {
            await container.StartAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            Assert.Equal(3, await container.GetExitCodeAsync(cts.Token));
            Assert.Equal(DotNet.Testcontainers.Containers.TestcontainersStates.Exited, container.State);
        }
    }
}
