namespace Quai.Cli.Tests.Integration;

/// <summary>-it under a real pty (script(1)), tar round trips (save/load, export/import), stats, events.</summary>
public sealed class CliArchiveAndTtyTests(DockerdFixture d) : IClassFixture<DockerdFixture>
{
    private const string Image = DockerdFixture.Image;

    private static string Name(string what) => $"qcli-{what}-{Guid.NewGuid().ToString("N")[..6]}";

    [Fact]
    public async Task InteractiveTtyUnderAPseudoTerminal()
    {
        var quai = DockerdFixture.QuaiBinary;
        var r = await d.RunAsync("script", ["-qec", $"{quai} run --rm -it --network none {Image} sh -c 'tty; stty size; exit 4'", "/dev/null"], "");
        Assert.Equal(4, r.ExitCode);
        Assert.Contains("/dev/pts/", r.StdOut, StringComparison.Ordinal);
        var notTty = await d.QuaiAsync("run", "--rm", "-it", Image, "true");
        Assert.Equal(1, notTty.ExitCode);
        Assert.Contains("the input device is not a TTY", notTty.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveLoadAndExportImportRoundTrip()
    {
        var quai = DockerdFixture.QuaiBinary;
        var tag = Name("img") + ":v1";
        var container = Name("exp");
        var tar = Path.Combine(d.Dir, Name("save") + ".tar");
        try
        {
            Assert.Equal(0, (await d.QuaiAsync("tag", Image, tag)).ExitCode);
            Assert.Equal(0, (await d.QuaiAsync("save", "-o", tar, tag)).ExitCode);
            Assert.True(new FileInfo(tar).Length > 1_000_000);
            Assert.Equal(0, (await d.QuaiAsync("rmi", tag)).ExitCode);
            var load = await d.QuaiAsync("load", "-i", tar);
            Assert.Equal((0, $"Loaded image: {tag}\n"), (load.ExitCode, load.StdOut));

            Assert.Equal(0, (await d.DockerAsync("create", "--name", container, "--network", "none", Image, "true")).ExitCode);
            var imported = Name("imported") + ":latest";
            var pipe = await d.RunAsync("bash", ["-c", $"{quai} export {container} | {quai} import -c 'ENV PATH=/bin' - {imported}"], null);
            Assert.Equal(0, pipe.ExitCode);
            Assert.Matches("^sha256:[0-9a-f]{64}\n$", pipe.StdOut);
            var run = await d.QuaiAsync("run", "--rm", "--network", "none", imported, "echo", "from-import");
            Assert.Equal((0, "from-import\n"), (run.ExitCode, run.StdOut));
            Assert.Equal(0, (await d.QuaiAsync("rmi", imported)).ExitCode);
        }
        finally
        {
            await d.DockerAsync("rm", "-f", container);
            await d.DockerAsync("rmi", "-f", tag);
            File.Delete(tar);
        }
    }

    [Fact]
    public async Task StatsNoStreamAndEventsUntil()
    {
        var name = Name("st");
        var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        try
        {
            Assert.Equal(0, (await d.QuaiAsync("run", "-d", "--name", name, "--network", "none", Image, "sleep", "100")).ExitCode);
            var q = await d.QuaiAsync("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", name);
            var k = await d.DockerAsync("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", name);
            Assert.Equal(0, q.ExitCode);
            Assert.Equal(k.StdOut, q.StdOut);
            var table = await d.QuaiAsync("stats", "--no-stream", name);
            Assert.StartsWith("CONTAINER ID   NAME", table.StdOut, StringComparison.Ordinal);
            var until = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1;
            var args = new[] { "events", "--since", since.ToString(System.Globalization.CultureInfo.InvariantCulture), "--until", until.ToString(System.Globalization.CultureInfo.InvariantCulture), "--filter", "container=" + name, "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}" };
            await Task.Delay(1500);
            var qe = await d.QuaiAsync(args);
            var ke = await d.DockerAsync(args);
            Assert.Equal(0, qe.ExitCode);
            Assert.Equal(ke.StdOut, qe.StdOut);
            Assert.Contains($"container start {name}", qe.StdOut, StringComparison.Ordinal);
        }
        finally
        {
            await d.DockerAsync("rm", "-f", name);
        }
    }
}
