using Quai.E2E.Tests.Infra;
using Quai.Testing;
using Quai.Testing.Registry;

namespace Quai.E2E.Tests;

/// <summary>images, tag, rmi, save/load, pull/push with a local registry.</summary>
public sealed class ImageTests
{
    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Tag_list_and_rmi_refusing_an_image_in_use(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var repo = Daemon.Name("tag");
        (await d.D("tag", "busybox", repo + ":1")).Ok();
        var listed = (await d.D("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}")).Ok().Lines;
        var busyboxId = await d.Ok("image", "inspect", "-f", "{{.Id}}", "busybox");
        Assert.Contains($"{repo}:1 {busyboxId["sha256:".Length..][..12]}", listed);
        Assert.Equal("Untagged: " + repo + ":1", (await d.D("rmi", repo + ":1")).Ok().Out);

        var inUse = Daemon.Name("inuse") + ":1";
        await Images.ImportAsync(d, inUse, "ENV PATH=/bin");
        var name = Daemon.Name("user");
        (await d.D("create", "--name", name, inUse, "true")).Ok();
        try
        {
            var refused = await d.D("rmi", inUse);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("conflict", refused.Stderr, StringComparison.Ordinal);
            Assert.Contains("is using its referenced image", refused.Stderr, StringComparison.Ordinal);
            (await d.D("rm", name)).Ok();
            var removed = (await d.D("rmi", inUse)).Ok();
            Assert.Contains("Untagged: " + inUse, removed.Stdout, StringComparison.Ordinal);
            Assert.Contains("Deleted: sha256:", removed.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await d.D("rm", "-f", name);
            await d.D("rmi", "-f", inUse);
        }
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Sizes_are_the_unpacked_file_content_as_dockerds(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        // moby's layer size: regular files and symlinks (their target's length), hard links once,
        // directories not at all. The image is one layer: the imported tar.
        long expected = 0;
        using (var tar = new System.Formats.Tar.TarReader(File.OpenRead(Images.RootfsTar)))
        {
            while (tar.GetNextEntry() is { } e)
            {
                expected += e.EntryType switch
                {
                    System.Formats.Tar.TarEntryType.RegularFile or System.Formats.Tar.TarEntryType.V7RegularFile => e.Length,
                    System.Formats.Tar.TarEntryType.SymbolicLink => System.Text.Encoding.UTF8.GetByteCount(e.LinkName),
                    _ => 0,
                };
            }
        }
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), await d.Ok("image", "inspect", "-f", "{{.Size}}", "busybox"));

        var name = Daemon.Name("size");
        var image = Daemon.Name("sized") + ":1";
        (await d.D("run", "--name", name, "busybox", "sh", "-c", "echo 12345 > /f && mkdir /d")).Ok();
        try
        {
            Assert.StartsWith("6B (virtual ", await d.Ok("ps", "-as", "--filter", "name=" + name, "--format", "{{.Size}}"), StringComparison.Ordinal);
            (await d.D("commit", name, image)).Ok();
            Assert.Equal("6B", (await d.D("history", "--format", "{{.Size}}", image)).Ok().Lines[0]);
        }
        finally
        {
            await d.D("rm", "-f", name);
            await d.D("rmi", image);
        }
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Save_and_load_round_trip(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        using var dir = new TempDir("qe-save");
        var image = Daemon.Name("saved") + ":1";
        (await d.D("tag", "busybox", image)).Ok();
        (await d.D("save", "-o", dir.Combine("img.tar"), image)).Ok();
        var entries = (await Cli.RunAsync("tar", ["tf", dir.Combine("img.tar")], new Dictionary<string, string>(), null, TimeSpan.FromSeconds(30))).Ok().Lines;
        Assert.Contains("manifest.json", entries);
        (await d.D("rmi", image)).Ok();
        Assert.Equal("Loaded image: " + image, (await d.D("load", "-i", dir.Combine("img.tar"))).Ok().Out);
        Assert.Equal("loaded", await d.Ok("run", "--rm", image, "echo", "loaded"));
        (await d.D("rmi", image)).Ok();
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Push_to_and_pull_from_a_local_registry(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        await using var registry = await DockerRegistry.StartAsync();
        var image = $"{registry.Host}/e2e/busybox:1";
        (await d.D("tag", "busybox", image)).Ok();
        try
        {
            var push = (await d.D("push", image)).Ok();
            Assert.Contains("1: digest: sha256:", push.Stdout, StringComparison.Ordinal);
            (await d.D("rmi", image)).Ok();
            var pull = (await d.D("pull", image)).Ok();
            Assert.Contains("Status: Downloaded newer image for " + image, pull.Stdout, StringComparison.Ordinal);
            Assert.Equal("pulled", await d.Ok("run", "--rm", image, "echo", "pulled"));
            var missing = await d.D("pull", $"{registry.Host}/e2e/nothing:1");
            Assert.Equal(1, missing.ExitCode);
            Assert.Contains("not found", missing.Stderr, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            await d.D("rmi", image);
        }
    }
}
