using Quai.Shim.Client;
using Quai.Shim.Server;

namespace Quai.Shim.Tests;

/// <summary>The command line between ShimLauncher and quai-shim.</summary>
public class ShimConfigTests
{
    [Fact]
    public void The_launchers_arguments_parse_back_to_the_same_settings()
    {
        var options = new ShimOptions
        {
            ShimPath = "/x/quai-shim",
            Id = "c1",
            Bundle = "/b",
            StateDir = "/s",
            RuntimePath = "/usr/sbin/runc",
            RuntimeRoot = "/r",
            Terminal = true,
            Stdin = true,
            StdinOnce = true,
            LogPath = "/l/c.log",
            LogMaxSize = 1000,
            LogMaxFile = 3,
            ExecId = "e1",
            ProcessFile = "/p.json",
        };
        var config = ShimConfig.Parse(options.ToArguments());
        Assert.Equal(("c1", "/b", "/s", "/usr/sbin/runc", "/r"), (config.Id, config.Bundle, config.StateDir, config.Runtime, config.RuntimeRoot));
        Assert.True(config.Terminal && config.Stdin && config.StdinOnce && config.IsExec);
        Assert.Equal(("/l/c.log", 1000L, 3), (config.LogPath, config.LogMaxSize, config.LogMaxFile));
        Assert.Equal("/s/exec-e1.pid", config.PidFile);
        Assert.Equal("/p.json", config.ProcessFile);
    }

    [Theory]
    [InlineData("quai-shim: --id, --bundle, --state-dir and --runtime are required", "--id", "x")]
    [InlineData("quai-shim: unknown argument '--nope'", "--nope")]
    [InlineData("quai-shim: --bundle needs a value", "--bundle")]
    [InlineData("quai-shim: --exec-id and --process go together (exec mode)", "--id", "x", "--bundle", "/b", "--state-dir", "/s", "--runtime", "/r", "--exec-id", "e")]
    [InlineData("quai-shim: --log-max-size takes a non-negative number of bytes or files, not '-1'", "--log-max-size", "-1")]
    public void Bad_arguments_are_named(string message, params string[] args) =>
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => ShimConfig.Parse(args)).Message);
}
