using System.Formats.Tar;
using Quai.Images.Layers;
using Quai.Images.Snapshots;
using Quai.Images.Tests.Layers;
using Quai.Linux.Interop;
using Quai.Oci.Image;
using Quai.Testing;

namespace Quai.Images.Tests.Snapshots;

public sealed class OverlaySnapshotterTests : IDisposable
{
    private readonly TempDir _tmp = new("quai-snap");
    private readonly OverlaySnapshotter _snapshots;
    private readonly List<string> _mounts = [];

    public OverlaySnapshotterTests()
    {
        _snapshots = new OverlaySnapshotter(_tmp.Combine("snapshotter"));
    }

    public void Dispose()
    {
        foreach (var m in _mounts)
        {
            MountSpec.Unmount(m);
        }
        _tmp.Dispose();
    }

    private string Mount(IReadOnlyList<MountSpec> mounts, string name)
    {
        var target = _tmp.Combine(name);
        Directory.CreateDirectory(target);
        Assert.Single(mounts).MountAt(target);
        _mounts.Add(target);
        return target;
    }

    private async Task<string> Layer(string name, string? parent, byte[] tar)
    {
        var key = "extract-" + name;
        await _snapshots.PrepareAsync(key, parent);
        var fs = await _snapshots.FsPathAsync(key);
        await LayerApplier.ApplyAsync(new MemoryStream(tar), LayerCompression.None, fs, new LayerApplyOptions { OverlayWhiteouts = true, LowerDirs = await _snapshots.ParentPathsAsync(key) });
        await _snapshots.CommitAsync(name, key);
        return name;
    }

    [Fact]
    public async Task Two_snapshotters_on_one_root_see_each_others_changes_and_a_failed_change_is_not_kept()
    {
        // Each keeps the database in memory while the metadata file is the one it last saw.
        var other = new OverlaySnapshotter(_snapshots.Root);
        await _snapshots.PrepareAsync("a", null);
        Assert.NotNull(await other.StatAsync("a"));
        await other.PrepareAsync("b", null);
        await other.RemoveAsync("a");
        Assert.Null(await _snapshots.StatAsync("a"));
        Assert.NotNull(await _snapshots.StatAsync("b"));
        await Assert.ThrowsAsync<ImageException>(() => _snapshots.PrepareAsync("c", "no-such-parent"));
        await Assert.ThrowsAsync<ImageException>(() => _snapshots.PrepareAsync("b", null));
        Assert.Equal(["b"], (await _snapshots.WalkAsync()).Select(i => i.Key).Order());
        Assert.Equal(["b"], (await new OverlaySnapshotter(_snapshots.Root).WalkAsync()).Select(i => i.Key).Order());
    }

    [Fact]
    public async Task Prepare_commit_stat_walk_and_remove_follow_containerds_rules()
    {
        var mounts = await _snapshots.PrepareAsync("k1", null);
        Assert.Equal("bind", Assert.Single(mounts).Type);
        File.WriteAllText(Path.Combine(await _snapshots.FsPathAsync("k1"), "f"), "12345");
        await _snapshots.CommitAsync("layer1", "k1");
        Assert.Null(await _snapshots.StatAsync("k1"));
        Assert.Equal(SnapshotKind.Committed, (await _snapshots.StatAsync("layer1"))!.Kind);
        var usage = await _snapshots.UsageAsync("layer1");
        Assert.Equal(5, usage.Size);
        Assert.Equal(1, usage.Inodes);

        var active = Assert.Single(await _snapshots.PrepareAsync("c1", "layer1"));
        Assert.Equal("overlay", active.Type);
        Assert.Contains(active.Options, o => o.StartsWith("lowerdir=", StringComparison.Ordinal));
        var view = Assert.Single(await _snapshots.ViewAsync("v1", "layer1"));
        Assert.True(view.ReadOnly);
        Assert.Equal(3, (await _snapshots.WalkAsync()).Count);

        var conflict = await Assert.ThrowsAsync<ImageException>(() => _snapshots.RemoveAsync("layer1"));
        Assert.Equal(ImageErrorKind.Conflict, conflict.Kind);
        Assert.Contains("layer1", conflict.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ImageException>(() => _snapshots.PrepareAsync("c1", "layer1"));
        await Assert.ThrowsAsync<ImageException>(() => _snapshots.PrepareAsync("c2", "missing"));
        await Assert.ThrowsAsync<ImageException>(() => _snapshots.MountsAsync("layer1"));
        await _snapshots.RemoveAsync("c1");
        await _snapshots.RemoveAsync("v1");
        await _snapshots.RemoveAsync("layer1");
        Assert.Empty(await _snapshots.WalkAsync());
        Assert.Empty(Directory.GetDirectories(_tmp.Combine("snapshotter", "snapshots")));
    }

    [Fact]
    public async Task Whiteouts_and_opaque_dirs_through_two_layers_show_the_right_merged_view_and_diff_round_trips()
    {
        Root.Require();
        var l1 = await Layer("l1", null, new TarBuilder().Dir("a").File("a/keep", "1").File("a/gone", "2").Dir("o").File("o/old", "3").File("top", "4").Build());
        var l2 = await Layer("l2", l1, new TarBuilder().File("a/.wh.gone", "").Dir("o").File("o/.wh..wh..opq", "").File("o/new", "5").File(".wh.top", "").Build());

        var rootfs = Mount(await _snapshots.PrepareAsync("container", l2), "rootfs");
        Assert.Equal(new[] { "a", "a/keep", "o", "o/new" }, Fs.Tree(rootfs));

        // A container's changes land in the upper dir as overlay whiteouts; the differ turns them into a layer.
        File.Delete(Path.Combine(rootfs, "a/keep"));
        File.WriteAllText(Path.Combine(rootfs, "o/added"), "6");
        Directory.Delete(Path.Combine(rootfs, "o"), recursive: true);
        Directory.CreateDirectory(Path.Combine(rootfs, "o"));
        File.WriteAllText(Path.Combine(rootfs, "o/fresh"), "7");
        var upper = await _snapshots.FsPathAsync("container");
        var diff = new MemoryStream();
        var result = await LayerDiffer.WriteDiffAsync(upper, diff);
        Assert.Equal(Quai.Oci.Digest.FromBytes(diff.ToArray()), result.DiffId);

        var names = new List<string>();
        diff.Position = 0;
        using (var reader = new TarReader(new MemoryStream(diff.ToArray())))
        {
            while (reader.GetNextEntry() is { } e)
            {
                names.Add(e.Name);
            }
        }
        Assert.Contains("a/.wh.keep", names);
        Assert.Contains("o/.wh..wh..opq", names);
        Assert.Contains("o/fresh", names);

        // Round trip: the diff applied as a third layer shows the container's view.
        var l3 = await Layer("l3", l2, diff.ToArray());
        var view = Mount(await _snapshots.ViewAsync("view", l3), "view");
        Assert.Equal(Fs.Tree(rootfs), Fs.Tree(view));
        Assert.Equal("7", File.ReadAllText(Path.Combine(view, "o/fresh")));
    }

    [Fact]
    public async Task Differ_keeps_metadata_and_the_same_tree_gives_the_same_diff_id()
    {
        Root.Require();
        var src = _tmp.Combine("src");
        await LayerApplier.ApplyAsync(new MemoryStream(new TarBuilder()
            .Dir("bin").File("bin/tool", "x", mode: 0x9ED, uid: 7, gid: 8).Hardlink("bin/same", "bin/tool").Symlink("bin/link", "tool")
            .Device("null", TarEntryType.CharacterDevice, 1, 3).Fifo("fifo")
            .File("cap", "y", pax: new() { ["SCHILY.xattr.user.k"] = "v" }).Build()), LayerCompression.None, src);
        var a = new MemoryStream();
        var b = new MemoryStream();
        var first = await LayerDiffer.WriteTreeAsync(src, a);
        var second = await LayerDiffer.WriteTreeAsync(src, b);
        Assert.Equal(first.DiffId, second.DiffId);

        var copy = _tmp.Combine("copy");
        var applied = await LayerApplier.ApplyAsync(new MemoryStream(a.ToArray()), LayerCompression.None, copy);
        Assert.Equal(first.DiffId, applied.DiffId);
        Assert.Equal(Fs.Tree(src), Fs.Tree(copy));
        var st = Fs.Lstat(Path.Combine(copy, "bin/tool"));
        Assert.Equal((0x9EDu, 7u, 8u, 2u), (st.Mode & 0xFFFu, st.Uid, st.Gid, st.Nlink));
        Assert.Equal(Libc.S_IFCHR, Fs.Type(Path.Combine(copy, "null")));
        Assert.Equal(Libc.S_IFIFO, Fs.Type(Path.Combine(copy, "fifo")));
        Assert.Equal("v", Fs.GetXattrText(Path.Combine(copy, "cap"), "user.k"));
        Assert.Equal(Fs.Lstat(Path.Combine(src, "bin/tool")).Mtime.Sec, st.Mtime.Sec);
    }

    [Fact]
    public async Task Differ_writes_binary_xattrs_byte_for_byte()
    {
        Root.Require();
        byte[] value = [0x01, 0x00, 0x00, 0x02, 0x80, 0x20, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];
        var src = _tmp.Combine("src");
        await LayerApplier.ApplyAsync(new MemoryStream(RawTar.WithPaxXattr("su", "security.capability", value, "binary")), LayerCompression.None, src);
        var tar = new MemoryStream();
        await LayerDiffer.WriteTreeAsync(src, tar);
        var copy = _tmp.Combine("copy");
        await LayerApplier.ApplyAsync(new MemoryStream(tar.ToArray()), LayerCompression.None, copy);
        Assert.Equal(value, Fs.GetXattr(Path.Combine(copy, "su"), "security.capability"));
    }
}
