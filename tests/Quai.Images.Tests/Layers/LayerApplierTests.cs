using System.Formats.Tar;
using System.Security.Cryptography;
using Quai.Images.Layers;
using Quai.Linux.Interop;
using Quai.Oci;
using Quai.Oci.Image;
using Quai.Testing;

namespace Quai.Images.Tests.Layers;

public sealed class LayerApplierTests : IDisposable
{
    private readonly TempDir _tmp = new("quai-layer");

    public void Dispose() => _tmp.Dispose();

    private string Target => _tmp.Combine("root");

    private static Task<LayerApplyResult> Apply(byte[] tar, string target, LayerApplyOptions? options = null, LayerCompression compression = LayerCompression.None) =>
        LayerApplier.ApplyAsync(new MemoryStream(TarBuilder.Compress(tar, compression)), compression, target, options);

    [Theory]
    [InlineData(LayerCompression.None)]
    [InlineData(LayerCompression.Gzip)]
    [InlineData(LayerCompression.Zstd)]
    public async Task Diff_id_is_the_sha256_of_the_uncompressed_tar(LayerCompression compression)
    {
        var tar = new TarBuilder().Dir("etc").File("etc/hostname", "quai\n").Build();
        var result = await Apply(tar, Target, compression: compression);
        Assert.Equal(Digest.FromBytes(tar), result.DiffId);
        Assert.Equal(tar.Length, result.UncompressedSize);
        Assert.Equal("quai\n", File.ReadAllText(Path.Combine(Target, "etc/hostname")));
    }

    [Fact]
    public async Task Mislabelled_compression_is_refused()
    {
        var tar = new TarBuilder().File("a", "a").Build();
        var gz = TarBuilder.Compress(tar, LayerCompression.Gzip);
        var e = await Assert.ThrowsAsync<ImageException>(() => LayerApplier.ApplyAsync(new MemoryStream(gz), LayerCompression.Zstd, Target));
        Assert.Contains("declared zstd but its content is gzip", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_dirs_links_modes_owners_and_times_are_kept()
    {
        Root.Require();
        var mtime = new DateTimeOffset(2021, 5, 6, 7, 8, 9, TimeSpan.Zero);
        var tar = new TarBuilder()
            .Dir("bin", mode: 0x1ED, mtime: mtime)
            .File("bin/tool", "#!/bin/sh\n", mode: 0x9ED, uid: 1000, gid: 1001, mtime: mtime) // 04755 setuid
            .Dir("tmp", mode: 0x3FF, mtime: mtime) // 01777 sticky
            .Symlink("bin/link", "tool")
            .Hardlink("bin/hard", "bin/tool")
            .Build();
        await Apply(tar, Target);
        var tool = Path.Combine(Target, "bin/tool");
        var st = Fs.Lstat(tool);
        Assert.Equal(0x9EDu, st.Mode & 0xFFFu);
        Assert.Equal(1000u, st.Uid);
        Assert.Equal(1001u, st.Gid);
        Assert.Equal(mtime.ToUnixTimeSeconds(), st.Mtime.Sec);
        Assert.Equal(2u, st.Nlink);
        Assert.Equal(st.Ino, Fs.Lstat(Path.Combine(Target, "bin/hard")).Ino);
        Assert.Equal("tool", new FileInfo(Path.Combine(Target, "bin/link")).LinkTarget);
        Assert.Equal(0x3FFu, Fs.Lstat(Path.Combine(Target, "tmp")).Mode & 0xFFFu);
        Assert.Equal(mtime.ToUnixTimeSeconds(), Fs.Lstat(Path.Combine(Target, "bin")).Mtime.Sec);
    }

    [Fact]
    public async Task Devices_fifos_and_xattrs_are_kept()
    {
        Root.Require();
        var tar = new TarBuilder()
            .Dir("dev")
            .Device("dev/null", TarEntryType.CharacterDevice, 1, 3)
            .Device("dev/loop9", TarEntryType.BlockDevice, 7, 9)
            .Fifo("dev/pipe")
            .File("ping", "elf", pax: new()
            {
                // VFS_CAP_REVISION_2 with CAP_NET_RAW (bit 13) permitted, effective flag set.
                ["SCHILY.xattr.security.capability"] = "\u0001\u0000\u0000\u0002\u0000\u0020\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000",
                ["SCHILY.xattr.user.comment"] = "héllo",
            })
            .Build();
        await Apply(tar, Target);
        var nul = Fs.Lstat(Path.Combine(Target, "dev/null"));
        Assert.Equal(Libc.S_IFCHR, nul.Mode & Libc.S_IFMT);
        Assert.Equal((1u, 3u), (nul.RdevMajor, nul.RdevMinor));
        var loop = Fs.Lstat(Path.Combine(Target, "dev/loop9"));
        Assert.Equal(Libc.S_IFBLK, loop.Mode & Libc.S_IFMT);
        Assert.Equal((7u, 9u), (loop.RdevMajor, loop.RdevMinor));
        Assert.Equal(Libc.S_IFIFO, Fs.Type(Path.Combine(Target, "dev/pipe")));
        var cap = Fs.GetXattr(Path.Combine(Target, "ping"), "security.capability");
        Assert.NotNull(cap);
        Assert.Equal(new byte[] { 1, 0, 0, 2, 0, 0x20, 0, 0 }, cap![..8]);
        Assert.Equal("héllo", Fs.GetXattrText(Path.Combine(Target, "ping"), "user.comment"));
    }

    [Fact]
    public async Task Binary_xattr_values_survive_byte_for_byte()
    {
        Root.Require();
        // A raw PAX record with bytes that are not UTF-8 (0x80, 0xff): what GNU tar writes for a
        // capability with CAP_SETUID (bit 7). TarWriter cannot produce this, so the tar is built by hand.
        byte[] value = [0x01, 0x00, 0x00, 0x02, 0x80, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];
        var tar = RawTar.WithPaxXattr("su", "security.capability", value, "binary");
        await Apply(tar, Target);
        Assert.Equal(value, Fs.GetXattr(Path.Combine(Target, "su"), "security.capability"));
        Assert.Equal("binary", File.ReadAllText(Path.Combine(Target, "su")));
    }

    [Fact]
    public async Task Flat_unpack_applies_whiteouts_and_opaque_directories()
    {
        await Apply(new TarBuilder().Dir("a").File("a/keep", "1").File("a/gone", "2").Dir("o").File("o/old", "3").File("top", "4").Build(), Target);
        await Apply(new TarBuilder().File("a/.wh.gone", "").Dir("o").File("o/.wh..wh..opq", "").File("o/new", "5").File(".wh.top", "").Build(), Target);
        Assert.Equal(new[] { "a", "a/keep", "o", "o/new" }, Fs.Tree(Target));
    }

    [Fact]
    public async Task Opaque_marker_after_new_entries_keeps_this_layers_entries()
    {
        await Apply(new TarBuilder().Dir("o").File("o/old", "3").Build(), Target);
        await Apply(new TarBuilder().Dir("o").File("o/new", "5").File("o/.wh..wh..opq", "").Build(), Target);
        Assert.Equal(new[] { "o", "o/new" }, Fs.Tree(Target));
    }

    [Fact]
    public async Task Overlay_form_writes_whiteout_devices_and_opaque_xattrs()
    {
        Root.Require();
        await Apply(new TarBuilder().Dir("o").File("o/.wh..wh..opq", "").File(".wh.gone", "").Build(), Target, new LayerApplyOptions { OverlayWhiteouts = true });
        var wh = Fs.Lstat(Path.Combine(Target, "gone"));
        Assert.Equal(Libc.S_IFCHR, wh.Mode & Libc.S_IFMT);
        Assert.Equal((0u, 0u), (wh.RdevMajor, wh.RdevMinor));
        Assert.Equal("y", Fs.GetXattrText(Path.Combine(Target, "o"), "trusted.overlay.opaque"));
    }

    [Fact]
    public async Task Layer_xattrs_cannot_steer_overlayfs()
    {
        Root.Require();
        var tar = new TarBuilder().Dir("d").File("f", "x", pax: new() { ["SCHILY.xattr.trusted.overlay.redirect"] = "/etc" }).Build();
        await Apply(tar, Target, new LayerApplyOptions { OverlayWhiteouts = true });
        Assert.Null(Fs.GetXattr(Path.Combine(Target, "f"), "trusted.overlay.redirect"));
    }

    [Fact]
    public async Task Hardlink_to_lower_layer_content_is_copied_in_overlay_form()
    {
        var lower = _tmp.Combine("lower");
        await Apply(new TarBuilder().Dir("usr").File("usr/big", "lower data").Build(), lower);
        await Apply(new TarBuilder().Dir("usr").Hardlink("usr/alias", "usr/big").Build(), Target, new LayerApplyOptions { OverlayWhiteouts = true, LowerDirs = [lower] });
        Assert.Equal("lower data", File.ReadAllText(Path.Combine(Target, "usr/alias")));
    }

    [Fact]
    public async Task Regular_file_replaces_directory_and_symlink()
    {
        await Apply(new TarBuilder().Dir("x").File("x/inner", "1").Symlink("y", "/etc").Build(), Target);
        await Apply(new TarBuilder().File("x", "file now").File("y", "file too").Build(), Target);
        Assert.Equal("file now", File.ReadAllText(Path.Combine(Target, "x")));
        Assert.Equal("file too", File.ReadAllText(Path.Combine(Target, "y")));
        Assert.True(Directory.Exists("/etc"), "the symlink's target outside the root is untouched");
    }

    [Fact]
    public async Task Applying_is_streamed_and_digests_every_byte_including_trailing_padding()
    {
        var tar = new TarBuilder().File("a", new string('z', 100_000)).Build();
        var padded = tar.Concat(new byte[10240]).ToArray();
        var result = await Apply(padded, Target);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(padded)), result.DiffId.Encoded);
    }
}
