using Quai.E2E.Tests.Infra;

namespace Quai.E2E.Tests;

/// <summary>Named and anonymous volumes: create/ls/inspect/rm/prune, persistence, in use, rm -v, copy-up.</summary>
public sealed class VolumeTests
{
    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Named_volume_lifecycle_and_persistence(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var vol = Daemon.Name("vol");
        Assert.Equal(vol, await d.Ok("volume", "create", vol));
        var name = Daemon.Name("voluser");
        try
        {
            Assert.Contains(vol, (await d.D("volume", "ls", "-q")).Ok().Lines);
            Assert.Equal("local " + vol, await d.Ok("volume", "inspect", "-f", "{{.Driver}} {{.Name}}", vol));
            var mountpoint = await d.Ok("volume", "inspect", "-f", "{{.Mountpoint}}", vol);
            Assert.StartsWith(d.DataRoot + "/volumes/" + vol, mountpoint, StringComparison.Ordinal);

            (await d.D("run", "--rm", "-v", vol + ":/data", "busybox", "sh", "-c", "echo kept > /data/f")).Ok();
            Assert.Equal("kept", await d.Ok("run", "--rm", "-v", vol + ":/data", "busybox", "cat", "/data/f"));
            Assert.Equal("kept\n", File.ReadAllText(Path.Combine(mountpoint, "f")));

            (await d.D("create", "--name", name, "-v", vol + ":/data", "busybox", "true")).Ok();
            var inUse = await d.D("volume", "rm", vol);
            Assert.Equal(1, inUse.ExitCode);
            Assert.Contains("volume is in use", inUse.Stderr, StringComparison.Ordinal);
            (await d.D("rm", name)).Ok();
            Assert.Equal(vol, await d.Ok("volume", "rm", vol));
            var gone = await d.D("volume", "inspect", vol);
            Assert.Equal(1, gone.ExitCode);
            Assert.Contains("no such volume", gone.Stderr, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            await d.D("rm", "-f", name);
            await d.D("volume", "rm", "-f", vol);
        }
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Rm_v_removes_anonymous_volumes_and_prune_removes_unused_ones(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var name = Daemon.Name("anon");
        await d.Ok("run", "-d", "--name", name, "-v", "/anon", "busybox", "sleep", "1000");
        var anon = await d.Inspect(name, "{{range .Mounts}}{{.Name}}{{end}}");
        Assert.Matches("^[0-9a-f]{64}$", anon);
        Assert.Contains(anon, (await d.D("volume", "ls", "-q")).Ok().Lines);
        (await d.D("rm", "-f", "-v", name)).Ok();
        Assert.DoesNotContain(anon, (await d.D("volume", "ls", "-q")).Ok().Lines);

        // Without -v the anonymous volume stays, and prune (scoped by its label) removes it.
        var label = "e2e.prune=" + Daemon.Name("p");
        var kept = Daemon.Name("anon-kept");
        (await d.D("create", "--name", kept, "--mount", "type=volume,destination=/x,volume-label=" + label, "busybox", "true")).Ok();
        var keptVol = await d.Inspect(kept, "{{range .Mounts}}{{.Name}}{{end}}");
        (await d.D("rm", kept)).Ok();
        Assert.Contains(keptVol, (await d.D("volume", "ls", "-q", "--filter", "label=" + label)).Ok().Lines);
        var prune = (await d.D("volume", "prune", "-f", "--filter", "label=" + label)).Ok();
        Assert.Contains(keptVol, prune.Stdout, StringComparison.Ordinal);
        Assert.Contains("Total reclaimed space:", prune.Stdout, StringComparison.Ordinal);
        Assert.Equal("", await d.Ok("volume", "ls", "-q", "--filter", "label=" + label));
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Image_volume_and_new_named_volume_are_filled_from_the_image(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var image = Daemon.Name("volimg") + ":1";
        await Images.ImportAsync(d, image, "VOLUME /etc", "ENV PATH=/bin");
        var vol = Daemon.Name("copyup");
        try
        {
            Assert.Contains("www:x:33:33", await d.Ok("run", "--rm", image, "cat", "/etc/passwd"), StringComparison.Ordinal);
            Assert.Equal("/etc", await d.Ok("image", "inspect", "-f", "{{range $k, $v := .Config.Volumes}}{{$k}}{{end}}", image));
            (await d.D("run", "--rm", "-v", vol + ":/etc", "busybox", "true")).Ok();
            Assert.Contains("www:x:33:33", await d.Ok("run", "--rm", "-v", vol + ":/v", "busybox", "cat", "/v/passwd"), StringComparison.Ordinal);
        }
        finally
        {
            await d.D("volume", "rm", "-f", vol);
            await d.D("rmi", image);
        }
    }
}
