using Quai.Engine.Containers;
using Quai.Images.Snapshots;
using Quai.Testing;

namespace Quai.Api.Tests.Engine;

public sealed class InitLayerTests
{
    [Fact]
    public void Ensure_makes_dockerds_init_layer_and_repairs_a_wrong_entry()
    {
        using var dir = new TempDir("quai-initlayer");
        var layer = Path.Combine(dir.Path, "init-layer");
        InitLayer.Ensure(layer);
        foreach (var d in new[] { "dev/pts", "dev/shm", "proc", "sys" })
        {
            Assert.True(Directory.Exists(Path.Combine(layer, d)), d);
        }
        foreach (var f in new[] { ".dockerenv", "etc/resolv.conf", "etc/hosts", "etc/hostname", "dev/console" })
        {
            var info = new FileInfo(Path.Combine(layer, f));
            Assert.True(info.Exists && info.Length == 0, f);
            Assert.Equal((UnixFileMode)0b111_101_101, info.UnixFileMode);
        }
        Assert.Equal("/proc/mounts", new FileInfo(Path.Combine(layer, "etc/mtab")).LinkTarget);

        // Idempotent, and an entry of the wrong kind is put right.
        File.Delete(Path.Combine(layer, "etc/hosts"));
        Directory.CreateDirectory(Path.Combine(layer, "etc/hosts"));
        File.Delete(Path.Combine(layer, "etc/mtab"));
        File.CreateSymbolicLink(Path.Combine(layer, "etc/mtab"), "/elsewhere");
        InitLayer.Ensure(layer);
        Assert.True(File.Exists(Path.Combine(layer, "etc/hosts")));
        Assert.Equal("/proc/mounts", new FileInfo(Path.Combine(layer, "etc/mtab")).LinkTarget);
        Assert.Equal(
            [".dockerenv", "dev", "dev/console", "dev/pts", "dev/shm", "etc", "etc/hostname", "etc/hosts", "etc/mtab", "etc/resolv.conf", "proc", "sys"],
            Directory.EnumerateFileSystemEntries(layer, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(layer, p)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Apply_puts_the_layer_on_top_of_a_writable_overlays_lower_layers_only()
    {
        var overlay = new MountSpec("overlay", "overlay", ["index=off", "lowerdir=/s/2/fs:/s/1/fs", "upperdir=/s/3/fs", "workdir=/s/3/work"]);
        Assert.Equal(
            ["index=off", "lowerdir=/init:/s/2/fs:/s/1/fs", "upperdir=/s/3/fs", "workdir=/s/3/work"],
            InitLayer.Apply([overlay], "/init").Single().Options);
        // An image without layers: the snapshot is a bind mount with nothing under it to add to.
        var bind = new MountSpec("bind", "/s/3/fs", ["rbind", "rw"]);
        Assert.Same(bind, InitLayer.Apply([bind], "/init").Single());
        var view = new MountSpec("overlay", "overlay", ["ro", "lowerdir=/s/2/fs:/s/1/fs"]);
        Assert.Same(view, InitLayer.Apply([view], "/init").Single());
    }
}
