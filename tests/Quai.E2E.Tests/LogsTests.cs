using System.Text.RegularExpressions;
using Quai.E2E.Tests.Infra;

namespace Quai.E2E.Tests;

/// <summary>docker logs (--tail, -t, --since, -f), stop, rm, and json-file rotation.</summary>
public sealed partial class LogsTests
{
    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Detached_container_logs_then_stop_and_rm(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var name = Daemon.Name("logs");
        var id = await d.Ok("run", "-d", "--name", name, "busybox", "sh", "-c", "echo err >&2; sleep 0.2; for i in 1 2 3 4 5; do echo line$i; done; sleep 1000");
        Assert.Matches("^[0-9a-f]{64}$", id);
        await Poll.UntilAsync(async () => (await d.D("logs", name)).Stdout.EndsWith("line5\n", StringComparison.Ordinal) ? null : "no line5 yet");
        var all = (await d.D("logs", name)).Ok();
        Assert.Equal("line1\nline2\nline3\nline4\nline5\n", all.Stdout);
        Assert.Equal("err\n", all.Stderr);
        var tail = (await d.D("logs", "--tail", "2", name)).Ok();
        Assert.Equal("line4\nline5\n", tail.Stdout);
        Assert.Equal("", tail.Stderr);
        var stamped = (await d.D("logs", "-t", "--tail", "1", name)).Ok();
        Assert.Matches(Rfc3339Line(), stamped.Stdout);
        Assert.Equal("", (await d.D("logs", "--since", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), name)).Ok().Stdout);
        Assert.Equal(5, (await d.D("logs", "--since", "10m", name)).Ok().Lines.Length);
        Assert.Equal(["err"], (await d.D("logs", "--since", "10m", name)).Ok().Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var follow = d.DockerAsync(["logs", "-f", "--tail", "1", name], timeout: TimeSpan.FromSeconds(60));
        await Task.Delay(1000);
        Assert.False(follow.IsCompleted, "logs -f ended while the container still runs");
        // sh as pid 1 has no SIGTERM handler: stop waits 1 s, then kills (137).
        Assert.Equal(name, await d.Ok("stop", "-t", "1", name));
        var followed = (await follow).Ok();
        Assert.Equal("line5\n", followed.Stdout);
        Assert.Equal("exited 137", await d.Inspect(name, "{{.State.Status}} {{.State.ExitCode}}"));
        Assert.Equal(name, await d.Ok("rm", name));
        var gone = await d.D("inspect", name);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("No such object", gone.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Json_file_logs_rotate_at_max_size_keeping_max_file(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var name = Daemon.Name("rotate");
        (await d.D("run", "--name", name, "--log-opt", "max-size=1k", "--log-opt", "max-file=2", "busybox", "seq", "1", "1000")).Exit(0);
        var logPath = await d.Inspect(name, "{{.LogPath}}");
        Assert.True(File.Exists(logPath), $"LogPath {logPath} is missing");
        Assert.True(new FileInfo(logPath).Length <= 1024 + 200, $"{logPath} is {new FileInfo(logPath).Length} bytes, over max-size 1k");
        Assert.True(File.Exists(logPath + ".1"), "the rotated file .1 is missing");
        Assert.False(File.Exists(logPath + ".2"), "max-file=2 keeps the live file and .1 only");
        var lines = (await d.D("logs", name)).Ok().Lines;
        Assert.Equal("1000", lines[^1]);
        Assert.True(lines.Length < 100, $"{lines.Length} lines survived rotation");
        (await d.D("rm", name)).Ok();
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z line5\n$")]
    private static partial Regex Rfc3339Line();
}
