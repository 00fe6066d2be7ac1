using System.Text.Json.Nodes;
using Quai.Cli.Api;
using Quai.Cli.Commands;
using Quai.Cli.Parsing;

namespace Quai.Cli.Tests.Parsing;

public class ContainerConfigBuilderTests
{
    private static JsonObject Build(params string[] args)
    {
        var p = FlagParser.Parse(args, ContainerFlags.Run, interspersed: false);
        using var ctx = new CliContext(DaemonHost.Parse("unix:///nonexistent.sock", null), "/nonexistent", name => name == "FROM_ENV" ? "yes" : null);
        return ContainerConfigBuilder.Build(ctx, p, p.Args[0], p.Args.Skip(1).ToList(), p.Bool("detach"));
    }

    [Fact]
    public void InteractiveRunAttachesAllStreamsWithStdinOnce()
    {
        var c = Build("--rm", "-i", "busybox", "cat");
        Assert.True(c["AttachStdin"]!.GetValue<bool>());
        Assert.True(c["OpenStdin"]!.GetValue<bool>());
        Assert.True(c["StdinOnce"]!.GetValue<bool>());
        Assert.True(c["HostConfig"]!["AutoRemove"]!.GetValue<bool>());
        Assert.Equal("[\"cat\"]", c["Cmd"]!.ToJsonString());
    }

    [Fact]
    public void DetachedRunAttachesNothing()
    {
        var c = Build("-d", "busybox");
        Assert.False(c["AttachStdout"]!.GetValue<bool>());
        Assert.Null(c["Cmd"]);
    }

    [Fact]
    public void ResourcesPortsVolumesAndEnv()
    {
        var c = Build("-m", "512m", "--cpus", "1.5", "--pids-limit", "100", "-p", "127.0.0.1:8080:80", "-p", "53/udp",
            "-v", "/host:/data:ro", "-v", "/anon", "-e", "A=1", "-e", "FROM_ENV", "-e", "UNSET", "--restart", "on-failure:3",
            "--ulimit", "nofile=1024:2048", "--tmpfs", "/run:size=1m", "--health-cmd", "true", "--health-interval", "1m30s", "busybox");
        var h = c["HostConfig"]!;
        Assert.Equal(512L * 1024 * 1024, h["Memory"]!.GetValue<long>());
        Assert.Equal(1_500_000_000L, h["NanoCpus"]!.GetValue<long>());
        Assert.Equal(100L, h["PidsLimit"]!.GetValue<long>());
        Assert.Equal("{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8080\"}],\"53/udp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}]}", h["PortBindings"]!.ToJsonString());
        Assert.NotNull(c["ExposedPorts"]!["80/tcp"]);
        Assert.Equal("[\"/host:/data:ro\"]", h["Binds"]!.ToJsonString());
        Assert.NotNull(c["Volumes"]!["/anon"]);
        Assert.Equal("[\"A=1\",\"FROM_ENV=yes\"]", c["Env"]!.ToJsonString());
        Assert.Equal("on-failure", h["RestartPolicy"]!["Name"]!.GetValue<string>());
        Assert.Equal(3L, h["RestartPolicy"]!["MaximumRetryCount"]!.GetValue<long>());
        Assert.Equal("[{\"Name\":\"nofile\",\"Hard\":2048,\"Soft\":1024}]", h["Ulimits"]!.ToJsonString());
        Assert.Equal("size=1m", h["Tmpfs"]!["/run"]!.GetValue<string>());
        Assert.Equal(90_000_000_000L, c["Healthcheck"]!["Interval"]!.GetValue<long>());
        Assert.Equal("[\"CMD-SHELL\",\"true\"]", c["Healthcheck"]!["Test"]!.ToJsonString());
    }

    [Fact]
    public void MountSyntax()
    {
        var m = ContainerConfigBuilder.Mount("type=bind,source=/a,target=/b,readonly");
        Assert.Equal("{\"Type\":\"bind\",\"Source\":\"/a\",\"Target\":\"/b\",\"ReadOnly\":true}", m.ToJsonString());
    }

    [Fact]
    public void RmWithRestartConflicts()
    {
        Assert.Contains("Conflicting options", Assert.Throws<CliException>(() => Build("--rm", "--restart", "always", "busybox")).Message);
    }
}
