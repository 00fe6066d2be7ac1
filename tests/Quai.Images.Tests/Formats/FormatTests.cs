using System.Diagnostics;
using System.Formats.Tar;
using System.Text.Json;
using Quai.Images.Content;
using Quai.Images.Formats;
using Quai.Images.Snapshots;
using Quai.Images.Store;
using Quai.Images.Tests.Layers;
using Quai.Oci;
using Quai.Oci.Image;
using Quai.Testing;

namespace Quai.Images.Tests.Formats;

public sealed class FormatTests : IDisposable
{
    private readonly TempDir _tmp = new("quai-formats");
    public void Dispose() => _tmp.Dispose();

    private void AssertNoScratchLeft() =>
        Assert.Empty(Directory.GetDirectories(_tmp.Path, "quai-*"));

    private (LocalContentStore Content, ImageStore Images) NewStore(string name)
    {
        var content = new LocalContentStore(_tmp.Combine(name, "content"));
        return (content, new ImageStore(_tmp.Combine(name, "images"), content));
    }

    private async Task<ImageRecord> AppImage(ImageStore store, string reference = "app:1") =>
        await store.AddAsync(await TestImages.CreateAsync(store.Content, [TestImages.BaseLayer(), TestImages.AppLayer()]), [reference]);

    private static async Task<string> Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        args.ToList().ForEach(psi.ArgumentList.Add);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr}");
        return await stdout;
    }

    private static List<string> TarNames(byte[] tar)
    {
        var names = new List<string>();
        using var reader = new TarReader(new MemoryStream(tar));
        while (reader.GetNextEntry() is { } e)
        {
            names.Add(e.Name);
        }
        return names;
    }

    [Fact]
    public async Task Oci_layout_round_trips_between_stores()
    {
        var (_, a) = NewStore("a");
        var image = await AppImage(a);
        var layout = _tmp.Combine("layout");
        await OciLayout.WriteDirectoryAsync(a.Content, [new LayoutImage(image.Target, ["app:1"])], layout);
        Assert.Equal("{\"imageLayoutVersion\":\"1.0.0\"}", File.ReadAllText(Path.Combine(layout, "oci-layout")));
        Assert.True(File.Exists(Path.Combine(layout, OciLayout.BlobPath(image.Manifest.Layers[1].Digest))));

        var (bContent, b) = NewStore("b");
        var read = Assert.Single(await OciLayout.ReadDirectoryAsync(layout, bContent));
        Assert.Equal(image.Target.Digest, read.Target.Digest);
        Assert.Equal(["docker.io/library/app:1"], read.References);
        var loaded = await b.AddAsync(read.Target, read.References);
        Assert.Equal(image.Id, loaded.Id);
        Assert.Equal(["app:1"], loaded.RepoTags);
    }

    [Fact]
    public async Task Docker_save_writes_the_oci_inside_form_and_load_round_trips()
    {
        var (_, a) = NewStore("a");
        var image = await AppImage(a);
        var archive = new MemoryStream();
        await DockerArchive.SaveAsync(a, ["app:1"], archive);
        var names = TarNames(archive.ToArray());
        Assert.Contains("oci-layout", names);
        Assert.Contains("index.json", names);
        Assert.Contains("manifest.json", names);
        Assert.Contains("repositories", names);
        Assert.Contains(OciLayout.BlobPath(image.Id), names);

        var (_, b) = NewStore("b");
        archive.Position = 0;
        var loaded = Assert.Single(await DockerArchive.LoadAsync(b, archive, _tmp.Path));
        Assert.Equal(image.Id, loaded.Id);
        Assert.Equal(image.ManifestDescriptor.Digest, loaded.ManifestDescriptor.Digest);
        Assert.Equal(["app:1"], loaded.RepoTags);
        AssertNoScratchLeft();
    }

    [Fact]
    public async Task Load_reads_a_legacy_archive_written_by_skopeo_and_skopeo_reads_our_save()
    {
        var (_, a) = NewStore("a");
        var image = await AppImage(a);
        var layout = _tmp.Combine("layout");
        await OciLayout.WriteDirectoryAsync(a.Content, [new LayoutImage(image.Target, ["app:1"])], layout);

        // skopeo writes docker-archive in the legacy form (manifest.json + per-layer tar files, no index.json).
        var legacy = _tmp.Combine("legacy.tar");
        await Run("skopeo", "copy", "--quiet", $"oci:{layout}:1", $"docker-archive:{legacy}:peer/app:2");
        var (_, b) = NewStore("b");
        ImageRecord loaded;
        await using (var f = File.OpenRead(legacy))
        {
            loaded = Assert.Single(await DockerArchive.LoadAsync(b, f, _tmp.Path));
        }
        Assert.Equal(["peer/app:2"], loaded.RepoTags);
        Assert.Equal(MediaTypes.DockerManifest, loaded.ManifestDescriptor.MediaType);
        Assert.Equal(image.Config.RootFs.DiffIds, loaded.Config.RootFs.DiffIds);
        var snapshots = new OverlaySnapshotter(_tmp.Combine("b", "snapshots"));
        var top = await b.UnpackAsync(loaded, snapshots);
        Assert.Equal(ImageStore.TopChainId(image)!.Value.ToString(), top);

        // And the other way: skopeo reads the archive we save.
        var ours = _tmp.Combine("ours.tar");
        await using (var f = File.Create(ours))
        {
            await DockerArchive.SaveAsync(a, ["app:1"], f);
        }
        var back = _tmp.Combine("back");
        await Run("skopeo", "copy", "--quiet", $"docker-archive:{ours}", $"oci:{back}:x");
        var inspect = await Run("skopeo", "inspect", "--config", $"oci:{back}:x");
        Assert.Contains(image.Config.RootFs.DiffIds[1].ToString(), inspect, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Umoci_unpacks_our_oci_layout()
    {
        Root.Require();
        var (_, a) = NewStore("a");
        var image = await AppImage(a);
        var layout = _tmp.Combine("layout");
        await OciLayout.WriteDirectoryAsync(a.Content, [new LayoutImage(image.Target, ["app:1"])], layout);
        var bundle = _tmp.Combine("bundle");
        await Run("umoci", "unpack", "--image", $"{layout}:1", bundle);
        Assert.Equal("app\n", File.ReadAllText(Path.Combine(bundle, "rootfs", "app", "run")));
        Assert.False(File.Exists(Path.Combine(bundle, "rootfs", "etc", "hostname")), "the whiteout in the second layer hides it");
        Assert.True(File.Exists(Path.Combine(bundle, "rootfs", "bin", "sh")));
    }

    [Fact]
    public async Task Oci_archive_from_skopeo_is_read()
    {
        var (_, a) = NewStore("a");
        var image = await AppImage(a);
        var layout = _tmp.Combine("layout");
        await OciLayout.WriteDirectoryAsync(a.Content, [new LayoutImage(image.Target, ["app:1"])], layout);
        var archive = _tmp.Combine("oci.tar");
        await Run("skopeo", "copy", "--quiet", $"oci:{layout}:1", $"oci-archive:{archive}:registry.example/app:3");
        var (bContent, _) = NewStore("b");
        await using var f = File.OpenRead(archive);
        var read = Assert.Single(await OciLayout.ReadArchiveAsync(f, bContent, _tmp.Path));
        Assert.Equal(image.Id, (await bContent.ReadJsonAsync(read.Target.Digest, OciJsonContext.Default.Manifest)).Config.Digest);
        Assert.Equal(["registry.example/app:3"], read.References);
    }

    [Fact]
    public async Task Hostile_archive_paths_are_refused()
    {
        var (_, b) = NewStore("b");
        var tar = new TarBuilder().File("../escape", "x").Build();
        var e = await Assert.ThrowsAsync<ImageException>(() => DockerArchive.LoadAsync(b, new MemoryStream(tar), _tmp.Path));
        Assert.Contains("\"..\" component", e.Message, StringComparison.Ordinal);
        var link = new TarBuilder().Symlink("manifest.json", "/etc/passwd").Build();
        await Assert.ThrowsAsync<ImageException>(() => DockerArchive.LoadAsync(b, new MemoryStream(link), _tmp.Path));
        Assert.False(File.Exists(_tmp.Combine("escape")));
        AssertNoScratchLeft();
    }

    [Fact]
    public async Task Import_makes_a_one_layer_image_with_changes_and_export_gives_the_files_back()
    {
        Root.Require();
        var (content, store) = NewStore("a");
        var rootfs = TestImages.BaseLayer();
        var image = await ImageImporter.ImportAsync(store, new MemoryStream(TarBuilder.Compress(rootfs, LayerCompression.Gzip)), "imported:v1",
            ["CMD [\"/bin/sh\", \"-c\", \"echo hi\"]", "ENTRYPOINT /bin/entry", "ENV A=1 B=\"two words\"", "WORKDIR /app", "USER nobody", "EXPOSE 80 53/udp", "LABEL org.example=yes", "VOLUME /data", "STOPSIGNAL SIGINT"],
            "from a test");
        Assert.Equal(["imported:v1"], image.RepoTags);
        Assert.Equal([Digest.FromBytes(rootfs)], image.Config.RootFs.DiffIds);
        var c = image.Config.Config!;
        Assert.Equal(["/bin/sh", "-c", "echo hi"], c.Cmd);
        Assert.Equal(["/bin/sh", "-c", "/bin/entry"], c.Entrypoint);
        Assert.Equal(["A=1", "B=two words"], c.Env);
        Assert.Equal(("/app", "nobody", "SIGINT"), (c.WorkingDir, c.User, c.StopSignal));
        Assert.Equal(["53/udp", "80/tcp"], c.ExposedPorts!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("yes", c.Labels!["org.example"]);
        Assert.True(c.Volumes!.ContainsKey("/data"));
        Assert.Equal("from a test", image.Config.History![0].Comment);
        Assert.Empty(await content.ListIngestsAsync());

        var snapshots = new OverlaySnapshotter(_tmp.Combine("a", "snapshots"));
        var top = await store.UnpackAsync(image, snapshots);
        await snapshots.PrepareAsync("ctr", top);
        File.WriteAllText(Path.Combine(await snapshots.FsPathAsync("ctr"), "added"), "by the container");
        var output = new MemoryStream();
        await ImageImporter.ExportAsync(snapshots, "ctr", output, _tmp.Path);
        var names = TarNames(output.ToArray());
        Assert.Equal(["added", "bin/", "bin/sh", "etc/", "etc/hostname"], names);
        AssertNoScratchLeft();
        Assert.Equal(["ctr"], (await snapshots.WalkAsync()).Where(s => s.Kind != SnapshotKind.Committed).Select(s => s.Key));
        Assert.DoesNotContain(File.ReadAllText("/proc/self/mountinfo").Split('\n'), l => l.Contains(_tmp.Path, StringComparison.Ordinal));
    }

    [Fact]
    public void Unsupported_or_malformed_changes_are_refused()
    {
        var config = new ContainerConfig();
        Assert.Contains("RUN is not supported", Assert.Throws<ImageException>(() => ConfigChanges.Apply(config, ["RUN echo"])).Message, StringComparison.Ordinal);
        Assert.Contains("invalid port", Assert.Throws<ImageException>(() => ConfigChanges.Apply(config, ["EXPOSE 99999"])).Message, StringComparison.Ordinal);
        Assert.Contains("JSON array", Assert.Throws<ImageException>(() => ConfigChanges.Apply(config, ["CMD [oops"])).Message, StringComparison.Ordinal);
        ConfigChanges.Apply(config, ["ENV LEGACY some value", "ENV LEGACY=replaced"]);
        Assert.Equal(["LEGACY=replaced"], config.Env);
    }
}
