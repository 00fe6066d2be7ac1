using System.Formats.Tar;
using Quai.Images.Layers;
using Quai.Oci.Image;
using Quai.Testing;

namespace Quai.Images.Tests.Layers;

/// <summary>
/// Hostile tars: each is refused with a clear error or contained inside the target, and nothing
/// is ever written outside it. The target sits next to an "outside" directory that must stay empty.
/// </summary>
public sealed class HostileLayerTests : IDisposable
{
    private readonly TempDir _tmp = new("quai-hostile");

    public HostileLayerTests()
    {
        Directory.CreateDirectory(Outside);
        Directory.CreateDirectory(Target);
    }

    public void Dispose() => _tmp.Dispose();

    private string Target => _tmp.Combine("root");

    private string Outside => _tmp.Combine("outside");

    private Task<LayerApplyResult> Apply(byte[] tar, LayerApplyOptions? options = null) =>
        LayerApplier.ApplyAsync(new MemoryStream(tar), LayerCompression.None, Target, options);

    private async Task<ImageException> Refused(byte[] tar, string expected, LayerApplyOptions? options = null)
    {
        var e = await Assert.ThrowsAsync<ImageException>(() => Apply(tar, options));
        Assert.Equal(ImageErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        AssertOutsideUntouched();
        return e;
    }

    private void AssertOutsideUntouched()
    {
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
        Assert.Equal(new[] { "outside", "root" }, Directory.EnumerateFileSystemEntries(_tmp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public Task Dot_dot_component_is_refused() =>
        Refused(new TarBuilder().File("../outside/pwned", "x").Build(), "\"..\" component");

    [Fact]
    public Task Dot_dot_in_the_middle_is_refused() =>
        Refused(new TarBuilder().Dir("a").File("a/../../outside/pwned", "x").Build(), "\"..\" component");

    [Fact]
    public Task Absolute_path_is_refused() =>
        Refused(new TarBuilder().File(_tmp.Combine("outside", "pwned"), "x").Build(), "absolute path");

    [Fact]
    public async Task Write_through_a_symlink_to_slash_stays_inside()
    {
        await Apply(new TarBuilder().Symlink("evil", "/").File("evil/" + _tmp.Path.TrimStart('/') + "/outside/pwned", "x").Build());
        AssertOutsideUntouched();
        Assert.True(File.Exists(Path.Combine(Target, _tmp.Path.TrimStart('/'), "outside", "pwned")));
    }

    [Fact]
    public async Task Write_through_a_relative_escaping_symlink_stays_inside()
    {
        await Apply(new TarBuilder().Symlink("up", "../../../..").Dir("up/outside").File("up/outside/pwned", "x").Build());
        AssertOutsideUntouched();
        Assert.True(File.Exists(Path.Combine(Target, "outside", "pwned")));
    }

    [Fact]
    public async Task Symlink_planted_in_a_lower_layer_is_not_followed_out()
    {
        await Apply(new TarBuilder().Dir("outside").Symlink("lib", "../outside").Build());
        await Apply(new TarBuilder().File("lib/pwned", "x").Build());
        AssertOutsideUntouched();
        Assert.True(File.Exists(Path.Combine(Target, "outside", "pwned")));
    }

    [Fact]
    public async Task Dangling_escaping_symlink_in_a_parent_is_refused()
    {
        await Apply(new TarBuilder().Symlink("lib", "../outside").Build());
        await Refused(new TarBuilder().File("lib/pwned", "x").Build(), "not a directory");
    }

    [Fact]
    public async Task Final_component_symlink_is_replaced_not_written_through()
    {
        await Apply(new TarBuilder().Symlink("passwd", _tmp.Combine("outside", "target")).File("passwd", "root::0:0::/:/bin/sh").Build());
        AssertOutsideUntouched();
        Assert.Equal("root::0:0::/:/bin/sh", File.ReadAllText(Path.Combine(Target, "passwd")));
    }

    [Fact]
    public Task Hardlink_to_a_path_outside_is_refused() =>
        Refused(new TarBuilder().Hardlink("shadow", "../outside/secret").Build(), "hardlink target");

    [Fact]
    public Task Hardlink_to_an_absolute_path_is_refused() =>
        Refused(new TarBuilder().Hardlink("shadow", "/etc/passwd").Build(), "absolute path");

    [Fact]
    public async Task Hardlink_through_an_escaping_symlink_stays_inside()
    {
        File.WriteAllText(Path.Combine(Outside, "..", "secret"), "host secret");
        try
        {
            var e = await Assert.ThrowsAsync<ImageException>(() => Apply(new TarBuilder().Symlink("s", "../..").Hardlink("stolen", "s/secret").Build()));
            Assert.Contains("neither in this layer nor below it", e.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(Target, "stolen")));
        }
        finally
        {
            File.Delete(Path.Combine(Outside, "..", "secret"));
        }
    }

    [Fact]
    public Task Devices_are_refused_when_not_allowed() =>
        Refused(new TarBuilder().Device("sda", TarEntryType.BlockDevice, 8, 0).Build(), "device nodes are not allowed", new LayerApplyOptions { AllowDevices = false });

    [Fact]
    public Task Absurd_file_size_is_refused() =>
        Refused(new TarBuilder().File("huge", new string('x', 4096)).Build(), "over the 1024-byte limit", new LayerApplyOptions { MaxFileSize = 1024 });

    [Fact]
    public Task Size_field_larger_than_the_data_is_refused()
    {
        // A header claiming 8 GiB followed by a few bytes: the reader must fail, not allocate or hang.
        var tar = RawTar.Header("big", '0', 8L << 30).Concat(new byte[1024]).ToArray();
        return Refused(tar, "is over the 1073741824-byte limit", new LayerApplyOptions { MaxFileSize = 1L << 30 });
    }

    [Fact]
    public Task Decompression_bomb_stops_at_the_limit() =>
        Refused(new TarBuilder().File("a", new string('0', 1 << 20)).Build(), "decompression bomb", new LayerApplyOptions { MaxUncompressedSize = 64 * 1024 });

    [Fact]
    public Task Whiteout_with_a_path_in_its_name_is_refused() =>
        Refused(new TarBuilder().File(".wh...", "").Build(), "\"..\" component");

    [Fact]
    public Task Garbage_is_not_a_tar() =>
        Refused(Enumerable.Repeat((byte)0x41, 2048).ToArray(), "not a valid tar archive");
}
