using System.Globalization;
using Quai.E2E.Tests.Infra;

namespace Quai.E2E.Tests;

/// <summary>version, info, system df, events --since/--until.</summary>
public sealed class SystemTests
{
    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Version_and_info_have_dockers_shape(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        Assert.Matches(@"^\d+\.\d+\.\d+", await d.Ok("version", "--format", "{{.Server.Version}}"));
        Assert.Matches(@"^1\.\d\d$", await d.Ok("version", "--format", "{{.Server.APIVersion}}"));
        Assert.Equal("linux/amd64", await d.Ok("version", "--format", "{{.Server.Os}}/{{.Server.Arch}}"));
        var version = (await d.D("version")).Ok().Stdout;
        Assert.Contains("Server:", version, StringComparison.Ordinal);
        Assert.Contains("API version:", version, StringComparison.Ordinal);

        var info = (await d.D("info")).Ok().Stdout;
        foreach (var field in new[] { "Server Version:", "Storage Driver:", "Logging Driver: json-file", "Cgroup Version:", "Kernel Version:", "Total Memory:", "Docker Root Dir: " + d.DataRoot })
        {
            Assert.Contains(field, info, StringComparison.Ordinal);
        }
        Assert.Matches(@"^\d+ \d+$", await d.Ok("info", "--format", "{{.Images}} {{.NCPU}}"));
        Assert.NotEqual("", await d.Ok("info", "--format", "{{.ID}}"));
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task System_df_lists_the_four_kinds(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var lines = (await d.D("system", "df")).Ok().Lines;
        Assert.Matches(@"^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$", lines[0]);
        Assert.Matches(@"^Images\s+\d+\s+\d+\s+\d", lines[1]);
        Assert.StartsWith("Containers", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("Local Volumes", lines[3], StringComparison.Ordinal);
        Assert.StartsWith("Build Cache", lines[4], StringComparison.Ordinal);
        var verbose = (await d.D("system", "df", "-v")).Ok().Stdout;
        Assert.Contains("busybox", verbose, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Events_between_since_and_until(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var name = Daemon.Name("events");
        var since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        (await d.D("run", "--rm", "--name", name, "busybox", "true")).Ok();
        await Task.Delay(1100);
        var until = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var events = (await d.D("events", "--since", since, "--until", until, "--filter", "container=" + name, "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}")).Ok().Lines;
        Assert.Equal(["container create " + name, "container attach " + name, "container start " + name, "container die " + name, "container destroy " + name],
            events.Where(e => !e.Contains(" resize ", StringComparison.Ordinal)).ToArray());
        var before = (await d.D("events", "--since", "1", "--until", "2", "--filter", "container=" + name)).Ok().Stdout;
        Assert.Equal("", before);
    }
}
