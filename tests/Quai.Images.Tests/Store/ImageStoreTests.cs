using System.Text.Json;
using Quai.Images.Content;
using Quai.Images.Snapshots;
using Quai.Images.Store;
using Quai.Oci;
using Quai.Oci.Image;
using Quai.Testing;

namespace Quai.Images.Tests.Store;

public sealed class ImageStoreTests : IDisposable
{
    private static readonly Func<Digest, IReadOnlyList<ImageUse>> Unused = _ => [];
    private readonly TempDir _tmp = new("quai-images");
    private readonly LocalContentStore _content;
    private readonly ImageStore _store;

    public ImageStoreTests()
    {
        _content = new LocalContentStore(_tmp.Combine("content"));
        _store = new ImageStore(_tmp.Combine("images"), _content);
    }

    public void Dispose() => _tmp.Dispose();

    private async Task<ImageRecord> AddBusybox(params string[] refs) =>
        await _store.AddAsync(await TestImages.CreateAsync(_content, [TestImages.BaseLayer()]), refs);

    [Fact]
    public async Task Images_resolve_by_name_full_reference_id_and_id_prefix()
    {
        var image = await AddBusybox("busybox");
        Assert.Equal(image.Manifest.Config.Digest, image.Id);
        Assert.Equal(["busybox:latest"], image.RepoTags);
        foreach (var name in new[] { "busybox", "busybox:latest", "docker.io/library/busybox:latest", image.Id.ToString(), image.Id.Encoded, image.Id.Encoded[..12] })
        {
            Assert.Equal(image.Id, (await _store.ResolveAsync(name)).Id);
        }
        var e = await Assert.ThrowsAsync<ImageException>(() => _store.ResolveAsync("alpine"));
        Assert.Equal(ImageErrorKind.NotFound, e.Kind);
        Assert.Contains("No such image: alpine", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tag_and_untag_change_references_only()
    {
        var image = await AddBusybox("busybox");
        await _store.TagAsync("busybox", "localhost:5000/mine:v1");
        Assert.Equal(["busybox:latest", "localhost:5000/mine:v1"], (await _store.ResolveAsync(image.Id.ToString())).RepoTags);
        Assert.True(await _store.UntagAsync("busybox"));
        Assert.False(await _store.UntagAsync("busybox"));
        Assert.Equal(["localhost:5000/mine:v1"], (await _store.ResolveAsync(image.Id.ToString())).RepoTags);
        await Assert.ThrowsAsync<ImageException>(() => _store.TagAsync("busybox", "x"));
    }

    [Fact]
    public async Task Removing_one_of_several_tags_only_untags()
    {
        var image = await AddBusybox("busybox", "other:1");
        var items = await _store.RemoveAsync("other:1", force: false, Unused);
        Assert.Equal([new ImageDeleteItem(Untagged: "other:1")], items);
        Assert.Equal(image.Id, (await _store.ResolveAsync("busybox")).Id);
    }

    [Fact]
    public async Task Removing_the_last_tag_deletes_the_image()
    {
        var image = await AddBusybox("busybox");
        var items = await _store.RemoveAsync("busybox", force: false, Unused);
        Assert.Equal([new ImageDeleteItem(Untagged: "busybox:latest"), new ImageDeleteItem(Deleted: image.Id.ToString())], items);
        Assert.Empty(await _store.ListAsync());
    }

    [Fact]
    public async Task Removing_the_last_tag_also_drops_digest_references_of_that_repository()
    {
        var target = await TestImages.CreateAsync(_content, [TestImages.BaseLayer()]);
        var image = await _store.AddAsync(target, ["busybox:1", "busybox@" + target.Digest]);
        Assert.Equal(["busybox@" + target.Digest], image.RepoDigests);
        var items = await _store.RemoveAsync("busybox:1", false, Unused);
        Assert.Equal([new ImageDeleteItem(Untagged: "busybox:1"), new ImageDeleteItem(Untagged: "busybox@" + target.Digest), new ImageDeleteItem(Deleted: image.Id.ToString())], items);
    }

    [Fact]
    public async Task Image_used_by_a_container_needs_force_and_a_running_one_blocks_even_force()
    {
        var image = await AddBusybox("busybox");
        var stopped = new Func<Digest, IReadOnlyList<ImageUse>>(_ => [new ImageUse("0123456789abcdef0123", false)]);
        var running = new Func<Digest, IReadOnlyList<ImageUse>>(_ => [new ImageUse("fedcba9876543210fedc", true)]);

        var byName = await Assert.ThrowsAsync<ImageException>(() => _store.RemoveAsync("busybox", false, stopped));
        Assert.Equal(ImageErrorKind.Conflict, byName.Kind);
        Assert.Contains("container 0123456789ab is using its referenced image " + image.Id.Encoded[..12], byName.Message, StringComparison.Ordinal);

        var byId = await Assert.ThrowsAsync<ImageException>(() => _store.RemoveAsync(image.Id.Encoded[..12], false, stopped));
        Assert.Contains("being used by stopped container 0123456789ab", byId.Message, StringComparison.Ordinal);

        var forcedRunning = await Assert.ThrowsAsync<ImageException>(() => _store.RemoveAsync(image.Id.ToString(), true, running));
        Assert.Contains("(cannot be forced) - image is being used by running container fedcba987654", forcedRunning.Message, StringComparison.Ordinal);

        var items = await _store.RemoveAsync(image.Id.ToString(), true, stopped);
        Assert.Contains(new ImageDeleteItem(Deleted: image.Id.ToString()), items);
    }

    [Fact]
    public async Task Removing_by_id_an_image_in_several_repositories_needs_force()
    {
        var image = await AddBusybox("busybox", "other:1");
        var e = await Assert.ThrowsAsync<ImageException>(() => _store.RemoveAsync(image.Id.ToString(), false, Unused));
        Assert.Contains("referenced in multiple repositories", e.Message, StringComparison.Ordinal);
        var items = await _store.RemoveAsync(image.Id.ToString(), true, Unused);
        Assert.Equal(3, items.Count);
    }

    [Fact]
    public async Task Inspect_and_history_are_shaped_like_dockers()
    {
        var image = await _store.AddAsync(await TestImages.CreateAsync(_content, [TestImages.BaseLayer(), TestImages.AppLayer()]), ["app:1"]);
        var inspect = await _store.InspectAsync("app:1");
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(inspect, ImagesJsonContext.Default.ImageInspect));
        var root = doc.RootElement;
        Assert.Equal(image.Id.ToString(), root.GetProperty("Id").GetString());
        Assert.Equal("app:1", root.GetProperty("RepoTags")[0].GetString());
        Assert.Equal("amd64", root.GetProperty("Architecture").GetString());
        Assert.Equal("linux", root.GetProperty("Os").GetString());
        Assert.Equal("2024-01-02T03:04:05Z", root.GetProperty("Created").GetString());
        Assert.Equal(2, root.GetProperty("RootFS").GetProperty("Layers").GetArrayLength());
        Assert.Equal("/bin/sh", root.GetProperty("Config").GetProperty("Cmd")[0].GetString());
        Assert.Equal(image.Size, root.GetProperty("Size").GetInt64());

        var history = await _store.HistoryAsync("app:1");
        Assert.Equal(3, history.Count);
        Assert.Equal(image.Id.ToString(), history[0].Id);
        Assert.Equal(["app:1"], history[0].Tags);
        Assert.Equal("CMD", history[0].CreatedBy);
        Assert.Equal(0, history[0].Size);
        Assert.Equal("<missing>", history[2].Id);
        Assert.Equal(image.Manifest.Layers[0].Size, history[2].Size);
    }

    [Fact]
    public async Task Platform_is_selected_from_an_index()
    {
        var amd = await TestImages.CreateAsync(_content, [TestImages.BaseLayer()], "amd64");
        var arm = await TestImages.CreateAsync(_content, [TestImages.AppLayer()], "arm64");
        arm.Platform!.Variant = "v8";
        var index = await _content.WriteJsonAsync(new ImageIndex { MediaType = MediaTypes.OciIndex, Manifests = [amd, arm] }, OciJsonContext.Default.ImageIndex, MediaTypes.OciIndex);

        var armImage = await _store.AddAsync(index, ["multi:arm"], PlatformSelector.Parse("linux/arm64"));
        Assert.Equal(arm.Digest, armImage.ManifestDescriptor.Digest);
        Assert.Equal(index.Digest, armImage.Target.Digest);
        var amdImage = await _store.AddAsync(index, ["multi:amd"], PlatformSelector.Parse("linux/amd64"));
        Assert.Equal(amd.Digest, amdImage.ManifestDescriptor.Digest);

        var e = await Assert.ThrowsAsync<ImageException>(() => _store.AddAsync(index, ["multi:s390x"], PlatformSelector.Parse("linux/s390x")));
        Assert.Contains("no manifest for linux/s390x (available: linux/amd64, linux/arm64/v8)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ImageException>(() => PlatformSelector.Parse("linux"));
        Assert.True(PlatformSelector.Matches(PlatformSelector.Parse("linux/aarch64"), new Platform { Os = "linux", Architecture = "arm64", Variant = "v8" }));
    }

    [Fact]
    public async Task Unpack_shares_layers_by_chain_id_verifies_diff_ids_and_gc_removes_what_nothing_uses()
    {
        var snapshots = new OverlaySnapshotter(_tmp.Combine("snapshots"));
        var baseImage = await AddBusybox("busybox");
        var app = await _store.AddAsync(await TestImages.CreateAsync(_content, [TestImages.BaseLayer(), TestImages.AppLayer()]), ["app"]);
        var baseTop = await _store.UnpackAsync(baseImage, snapshots);
        var appTop = await _store.UnpackAsync(app, snapshots);
        Assert.Equal(ImageStore.TopChainId(app)!.Value.ToString(), appTop);
        Assert.Equal(2, (await snapshots.WalkAsync()).Count);
        Assert.Equal(baseTop, (await snapshots.StatAsync(appTop!))!.Parent);

        // Sizes as docker's: file content (5 + 2 bytes; 4 bytes, the whiteout counting nothing),
        // measured at unpack; the blobs' sizes for a layer not unpacked.
        Assert.Equal([7L, 4L], await ImageStore.LayerSizesAsync(app, snapshots));
        Assert.Equal(11, (await _store.InspectAsync("app", snapshots)).Size);
        Assert.Equal([4L, 7L], (await _store.HistoryAsync("app", snapshots)).Where(h => h.Size > 0).Select(h => h.Size));
        Assert.Equal(app.Manifest.Layers.Select(l => l.Size), await ImageStore.LayerSizesAsync(app, null));
        var other = await _store.AddAsync(await TestImages.CreateAsync(_content, [TestImages.BaseLayer(), TestImages.AppLayer("other\n")]), ["other"]);
        Assert.Equal([7L, other.Manifest.Layers[1].Size], await ImageStore.LayerSizesAsync(other, snapshots));
        await _store.RemoveAsync("other", false, Unused);

        var bad = await _store.AddAsync(await TestImages.CreateAsync(_content, [new Layers.TarBuilder().File("x", "y").Build()], diffIdsOverride: [Digest.FromBytes("not the layer"u8)]), ["bad"]);
        var e = await Assert.ThrowsAsync<ImageException>(() => _store.UnpackAsync(bad, snapshots));
        Assert.Equal(ImageErrorKind.FailedPrecondition, e.Kind);
        Assert.Contains("diff ID", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await snapshots.WalkAsync()).Count);

        await _store.RemoveAsync("app", false, Unused);
        await _store.RemoveAsync("bad", false, Unused);
        var deleted = await _store.GarbageCollectAsync(snapshots);
        Assert.Equal(new[] { baseImage.ManifestDescriptor.Digest, baseImage.Id, baseImage.Manifest.Layers[0].Digest }.ToHashSet(), (await _content.ListAsync()).Select(i => i.Digest).ToHashSet());
        Assert.Equal(9, deleted.Count); // app, other and bad: manifest, config, own layer each (the base layer is shared)
        Assert.Equal([baseTop], (await snapshots.WalkAsync()).Select(s => s.Key));
    }

    [Fact]
    public async Task References_survive_reopening_the_store()
    {
        var image = await AddBusybox("busybox", "localhost:5000/x:y");
        var reopened = new ImageStore(_tmp.Combine("images"), new LocalContentStore(_tmp.Combine("content")));
        var again = await reopened.ResolveAsync("localhost:5000/x:y");
        Assert.Equal(image.Id, again.Id);
        Assert.Equal(["busybox:latest", "localhost:5000/x:y"], again.RepoTags);
        Assert.Single(await reopened.ListAsync());
        Assert.Empty(Directory.GetFiles(_tmp.Combine("images"), "*.tmp"));
    }
}
