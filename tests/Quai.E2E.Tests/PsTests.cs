using Quai.E2E.Tests.Infra;

namespace Quai.E2E.Tests;

/// <summary>docker ps (-a, -q, filters, --format), inspect -f and rename.</summary>
public sealed class PsTests
{
    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Ps_lists_filters_and_formats(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var label = "e2e.ps=" + Daemon.Name("ps");
        var up = Daemon.Name("ps-up");
        var done = Daemon.Name("ps-done");
        await d.Ok("run", "-d", "--label", label, "--name", up, "busybox", "sleep", "1000");
        (await d.D("run", "--label", label, "--name", done, "busybox", "sh", "-c", "exit 2")).Exit(2);
        try
        {
            var running = await d.Ok("ps", "--filter", "label=" + label, "--format", "{{.Names}}");
            Assert.Equal(up, running);
            var all = (await d.D("ps", "-a", "--filter", "label=" + label, "--format", "{{.Names}}")).Ok().Lines;
            Assert.Equal([done, up], all.Order(StringComparer.Ordinal).ToArray());
            var exited = await d.Ok("ps", "-a", "--filter", "label=" + label, "--filter", "status=exited", "--format", "{{.Names}} {{.Status}}");
            Assert.StartsWith(done + " Exited (2) ", exited, StringComparison.Ordinal);
            Assert.Equal(up, await d.Ok("ps", "-a", "--filter", "name=" + up, "--format", "{{.Names}}"));
            var ids = (await d.D("ps", "-a", "-q", "--filter", "label=" + label)).Ok().Lines;
            Assert.Equal(2, ids.Length);
            Assert.All(ids, id => Assert.Matches("^[0-9a-f]{12}$", id));
            var table = (await d.D("ps", "--filter", "name=" + up)).Ok().Lines;
            Assert.StartsWith("CONTAINER ID", table[0], StringComparison.Ordinal);
            Assert.Contains("\"sleep 1000\"", table[1], StringComparison.Ordinal);
            Assert.Contains("Up ", table[1], StringComparison.Ordinal);
            Assert.EndsWith(up, table[1], StringComparison.Ordinal);

            Assert.Equal("/" + up + " running busybox [\"sleep\",\"1000\"] true", await d.Inspect(up, "{{.Name}} {{.State.Status}} {{.Config.Image}} {{json .Config.Cmd}} {{.State.Running}}"));
            Assert.Equal("exited 2 false", await d.Inspect(done, "{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}"));
            Assert.Matches(@"^[1-9]\d*$", await d.Inspect(up, "{{.State.Pid}}"));
            Assert.Equal(label.Split('=')[1], await d.Inspect(up, "{{index .Config.Labels \"e2e.ps\"}}"));

            var renamed = up + "-renamed";
            (await d.D("rename", up, renamed)).Ok();
            Assert.Equal("/" + renamed, await d.Inspect(renamed, "{{.Name}}"));
            Assert.Equal(1, (await d.D("inspect", up)).ExitCode);
            up = renamed;
        }
        finally
        {
            await d.D("rm", "-f", up, done);
        }
    }
}
