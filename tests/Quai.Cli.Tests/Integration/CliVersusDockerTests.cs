using System.Text.RegularExpressions;

namespace Quai.Cli.Tests.Integration;

/// <summary>
/// quai and the real docker CLI against the same private dockerd: same exit codes, same stdout
/// (ids and relative times masked).
/// </summary>
public sealed class CliVersusDockerTests(DockerdFixture d) : IClassFixture<DockerdFixture>
{
    private const string Image = DockerdFixture.Image;

    private static string Name(string what) => $"qcli-{what}-{Guid.NewGuid().ToString("N")[..6]}";

    private async Task<(CommandResult Quai, CommandResult Docker)> BothAsync(params string[] args) =>
        (await d.QuaiAsync(args), await d.DockerAsync(args));

    private static void AssertSame(CommandResult quai, CommandResult docker)
    {
        Assert.True(docker.ExitCode == quai.ExitCode, $"exit codes differ\nquai: {quai}\ndocker: {docker}");
        Assert.Equal(docker.Normalized, quai.Normalized);
    }

    [Fact]
    public async Task RunExitsWithTheContainersCode()
    {
        var (q, k) = await BothAsync("run", "--rm", "--network", "none", Image, "sh", "-c", "echo hello; echo oops >&2; exit 3");
        AssertSame(q, k);
        Assert.Equal(3, q.ExitCode);
        Assert.Equal("hello\n", q.StdOut);
        Assert.Equal("oops\n", q.StdErr);
    }

    [Fact]
    public async Task RunInteractiveWithPipedStdinHalfClosesAndKeepsReading()
    {
        var args = new[] { "run", "--rm", "-i", "--network", "none", Image, "sh", "-c", "cat; echo after-eof; exit 4" };
        var q = await d.RunAsync(DockerdFixture.QuaiBinary, args, "hi\n");
        var k = await d.RunAsync("docker", args, "hi\n");
        AssertSame(q, k);
        Assert.Equal("hi\nafter-eof\n", q.StdOut);
        Assert.Equal(4, q.ExitCode);
    }

    [Theory]
    [InlineData("nosuchcommand", 127)]
    [InlineData("/etc/passwd", 126)]
    public async Task RunMapsStartFailuresTo126And127(string command, int code)
    {
        var (q, k) = await BothAsync("run", "--rm", "--network", "none", Image, command);
        Assert.Equal(code, k.ExitCode);
        Assert.Equal(code, q.ExitCode);
        Assert.StartsWith("quai: Error response from daemon: ", q.StdErr);
    }

    [Fact]
    public async Task UsageErrorsExit125ForRunAnd1ForMissingArguments()
    {
        var (q, k) = await BothAsync("run", "--bogus", Image);
        AssertSame(q, k);
        Assert.Equal(125, q.ExitCode);
        Assert.StartsWith("unknown flag: --bogus", q.StdErr);
        (q, k) = await BothAsync("stop");
        AssertSame(q, k);
        Assert.Equal(1, q.ExitCode);
    }

    [Fact]
    public async Task DetachedLogsStopRm()
    {
        var name = Name("d");
        try
        {
            var run = await d.QuaiAsync("run", "-d", "--name", name, "--network", "none", Image, "sh", "-c", "echo out; echo err >&2; sleep 100");
            Assert.Equal(0, run.ExitCode);
            Assert.Matches("^[0-9a-f]{64}\n$", run.StdOut);
            await WaitForAsync(async () => (await d.DockerAsync("logs", name)).StdOut.Contains("out", StringComparison.Ordinal));
            var (q, k) = await BothAsync("logs", name);
            AssertSame(q, k);
            Assert.Equal("out\n", q.StdOut);
            Assert.Equal("err\n", q.StdErr);
            (q, k) = await BothAsync("logs", "-t", "--tail", "1", name);
            AssertSame(q, k);
            var stop = await d.QuaiAsync("stop", "-t", "1", name);
            Assert.Equal((0, name + "\n"), (stop.ExitCode, stop.StdOut));
            var rm = await d.QuaiAsync("rm", name);
            Assert.Equal((0, name + "\n"), (rm.ExitCode, rm.StdOut));
            (q, k) = await BothAsync("rm", name);
            AssertSame(q, k);
            Assert.Equal($"Error response from daemon: No such container: {name}\n", q.StdErr);
        }
        finally
        {
            await d.DockerAsync("rm", "-f", name);
        }
    }

    [Fact]
    public async Task ExecExitCodeStdinAndEnv()
    {
        var name = Name("e");
        try
        {
            Assert.Equal(0, (await d.DockerAsync("run", "-d", "--name", name, "--network", "none", Image, "sleep", "100")).ExitCode);
            var (q, k) = await BothAsync("exec", "-e", "X=1", "-w", "/tmp", name, "sh", "-c", "echo $X $(pwd); exit 7");
            AssertSame(q, k);
            Assert.Equal((7, "1 /tmp\n"), (q.ExitCode, q.StdOut));
            var piped = await d.RunAsync(DockerdFixture.QuaiBinary, ["exec", "-i", name, "cat"], "through exec\n");
            Assert.Equal((0, "through exec\n"), (piped.ExitCode, piped.StdOut));
            (q, k) = await BothAsync("exec", name, "nosuchcommand");
            AssertSame(q, k);
        }
        finally
        {
            await d.DockerAsync("rm", "-f", name);
        }
    }

    [Fact]
    public async Task PsFormatsAndFilters()
    {
        var name = Name("ps");
        try
        {
            Assert.Equal(0, (await d.DockerAsync("run", "-d", "--name", name, "-l", "tier=web", "--network", "none", Image, "sleep", "100")).ExitCode);
            foreach (var args in new[]
            {
                // The default table's STATUS and CREATED ("Up Less than a second" / "Up 1 second")
                // change between the two runs; the table layout is compared without them.
                new[] { "ps", "--filter", "name=" + name, "--format", "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Ports}}\t{{.Names}}" },
                ["ps", "-a", "--filter", "name=" + name, "--format", "{{.Names}} {{.Image}} {{.Command}} {{.State}} {{.Label \"tier\"}} {{.Labels}}"],
                ["ps", "--filter", "label=tier=web", "--format", "table {{.ID}}\t{{.Names}}\t{{.Ports}}"],
                ["ps", "-q", "--filter", "name=" + name],
                ["ps", "--no-trunc", "--filter", "name=" + name, "--format", "{{json .}}"],
                ["container", "ls", "-n", "1", "--format", "{{.Names}}"],
            })
            {
                var (q, k) = await BothAsync(args);
                AssertSame(q, k);
            }
        }
        finally
        {
            await d.DockerAsync("rm", "-f", name);
        }
    }

    [Fact]
    public async Task ImagesListingsMatch()
    {
        foreach (var args in new[]
        {
            new[] { "images" },
            ["image", "ls", "--format", "{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}"],
            ["images", "-q"],
            ["images", "--digests"],
            ["images", "--no-trunc", "--format", "{{json .}}"],
            ["image", "history", Image],
        })
        {
            var (q, k) = await BothAsync(args);
            AssertSame(q, k);
        }
    }

    [Fact]
    public async Task InspectPrintsTheDaemonsJsonAndTemplates()
    {
        var name = Name("i");
        try
        {
            Assert.Equal(0, (await d.DockerAsync("create", "--name", name, "-e", "A=<b>", "--network", "none", Image, "true")).ExitCode);
            foreach (var args in new[]
            {
                new[] { "inspect", name },
                ["container", "inspect", name, Image],
                ["inspect", "-f", "{{.Name}} {{.Config.Env}} {{json .Config.Env}} {{.State.Status}} {{.HostConfig.NetworkMode}}", name],
                ["inspect", "--type", "image", "-f", "{{.Id}} {{index .Config.Env 0}}", Image],
                ["image", "inspect", Image],
            })
            {
                var (q, k) = await BothAsync(args);
                AssertSame(q, k);
            }
            var (mq, mk) = await BothAsync("inspect", "nosuchthing");
            AssertSame(mq, mk);
            Assert.Equal(mk.StdErr, mq.StdErr);
        }
        finally
        {
            await d.DockerAsync("rm", "-f", name);
        }
    }

    [Fact]
    public async Task VolumeVerbs()
    {
        var v = Name("v");
        try
        {
            var create = await d.QuaiAsync("volume", "create", "--label", "k=v", v);
            Assert.Equal((0, v + "\n"), (create.ExitCode, create.StdOut));
            foreach (var args in new[]
            {
                new[] { "volume", "ls", "--filter", "name=" + v },
                ["volume", "ls", "-q", "--filter", "name=" + v],
                ["volume", "inspect", v],
                ["volume", "inspect", "-f", "{{.Name}} {{.Driver}} {{.Labels}}", v],
            })
            {
                var (q, k) = await BothAsync(args);
                AssertSame(q, k);
            }
            var rm = await d.QuaiAsync("volume", "rm", v);
            Assert.Equal((0, v + "\n"), (rm.ExitCode, rm.StdOut));
            var (mq, mk) = await BothAsync("volume", "rm", v);
            AssertSame(mq, mk);
            Assert.Equal(mk.StdErr, mq.StdErr);
        }
        finally
        {
            await d.DockerAsync("volume", "rm", "-f", v);
        }
    }

    [Fact]
    public async Task CpBothWays()
    {
        var name = Name("cp");
        var local = Path.Combine(d.Dir, name);
        try
        {
            Directory.CreateDirectory(Path.Combine(local, "src", "sub"));
            await File.WriteAllTextAsync(Path.Combine(local, "src", "a.txt"), "alpha\n");
            await File.WriteAllTextAsync(Path.Combine(local, "src", "sub", "b.txt"), "beta\n");
            Assert.Equal(0, (await d.DockerAsync("run", "-d", "--name", name, "--network", "none", Image, "sleep", "100")).ExitCode);
            Assert.Equal(0, (await d.QuaiAsync("cp", Path.Combine(local, "src", "a.txt"), name + ":/tmp/")).ExitCode);
            Assert.Equal(0, (await d.QuaiAsync("cp", Path.Combine(local, "src"), name + ":/tmp/tree")).ExitCode);
            Assert.Equal(0, (await d.QuaiAsync("cp", Path.Combine(local, "src", "a.txt"), name + ":/tmp/renamed.txt")).ExitCode);
            var listing = await d.DockerAsync("exec", name, "sh", "-c", "cat /tmp/a.txt /tmp/tree/a.txt /tmp/tree/sub/b.txt /tmp/renamed.txt");
            Assert.Equal("alpha\nalpha\nbeta\nalpha\n", listing.StdOut);

            var outDir = Path.Combine(local, "out");
            Directory.CreateDirectory(outDir);
            Assert.Equal(0, (await d.QuaiAsync("cp", name + ":/tmp/tree", outDir)).ExitCode);
            Assert.Equal(0, (await d.QuaiAsync("cp", name + ":/tmp/a.txt", Path.Combine(outDir, "copy.txt"))).ExitCode);
            Assert.Equal("beta\n", await File.ReadAllTextAsync(Path.Combine(outDir, "tree", "sub", "b.txt")));
            Assert.Equal("alpha\n", await File.ReadAllTextAsync(Path.Combine(outDir, "copy.txt")));

            var tar = await d.RunAsync("bash", ["-c", $"{DockerdFixture.QuaiBinary} cp {name}:/tmp/tree - | tar -t | sort"], null);
            Assert.Equal("tree/\ntree/a.txt\ntree/sub/\ntree/sub/b.txt\n", tar.StdOut);
            var missing = await BothAsync("cp", name + ":/nonexistent", outDir);
            Assert.Equal(missing.Docker.ExitCode, missing.Quai.ExitCode);
        }
        finally
        {
            await d.DockerAsync("rm", "-f", name);
            if (Directory.Exists(local))
            {
                Directory.Delete(local, recursive: true);
            }
        }
    }

    [Fact]
    public async Task VersionShowsTheServerAsDockerDoes()
    {
        var (q, k) = await BothAsync("version");
        Assert.Equal(0, q.ExitCode);
        static string Server(string s) => s[s.IndexOf("Server:", StringComparison.Ordinal)..];
        Assert.Equal(Server(k.StdOut), Server(q.StdOut));
        Assert.Matches(new Regex("API version:\\s+1\\.41 \\(downgraded from 1\\.50\\)"), q.StdOut);
        (q, k) = await BothAsync("version", "--format", "{{.Server.Version}} {{.Server.APIVersion}} {{.Client.APIVersion}}");
        AssertSame(q, k);
    }

    [Fact]
    public async Task InfoShowsTheServerAsDockerDoes()
    {
        var (q, k) = await BothAsync("info");
        Assert.Equal(0, q.ExitCode);
        // Counts move while other tests run, and docker prints the runtimes in Go's map order;
        // every other server line must read the same.
        static string Server(string s) => Regex.Replace(
            Regex.Replace(s[s.IndexOf("Server:", StringComparison.Ordinal)..], @"^( *(Containers|Running|Paused|Stopped|Images): )\d+$", "$1N", RegexOptions.Multiline),
            @"^ Runtimes: (.*)$", m => " Runtimes: " + string.Join(' ', m.Groups[1].Value.Split(' ').Order(StringComparer.Ordinal)), RegexOptions.Multiline);
        Assert.Equal(Server(k.StdOut), Server(q.StdOut));
    }

    [Fact]
    public async Task AnUnreachableDaemonIsNamed()
    {
        var r = await d.RunAsync(DockerdFixture.QuaiBinary, ["ps"], null, new() { ["DOCKER_HOST"] = "unix:///nonexistent/x.sock" });
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("Cannot connect to the Docker daemon at unix:///nonexistent/x.sock. Is the docker daemon running?\n", r.StdErr);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("condition not met in 10 s");
    }
}
