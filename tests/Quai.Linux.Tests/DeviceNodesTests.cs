using Quai.Testing;

namespace Quai.Linux.Tests;

public sealed class DeviceNodesTests
{
    [Theory]
    [InlineData(1L, 3L, 0x103UL)]
    [InlineData(5L, 0L, 0x500UL)]
    [InlineData(10L, 229L, 0xae5UL)]
    [InlineData(259L, 0L, 0x10300UL)]
    [InlineData(1L, 256L, 0x100100UL)]
    [InlineData(4096L, 1L, 0x100000000001UL)]
    public void MakeDev_encodes_as_glibc(long major, long minor, ulong expected) =>
        Assert.Equal(expected, DeviceNodes.MakeDev(major, minor));

    [Fact]
    public void Mknod_creates_a_character_device_with_the_given_numbers()
    {
        Root.Require();
        using var dir = new TempDir("quai-mknod");
        var path = dir.Combine("null");
        Assert.Equal(0, DeviceNodes.TryMknod(path, DeviceNodes.S_IFCHR | 0x180, DeviceNodes.MakeDev(1, 3)));
        DeviceNodes.Chmod(path, 0x1B6);
        DeviceNodes.Chown(path, 1000, 1001);
        Assert.Equal("character special file 1:3 666 1000:1001", Stat(path));

        Assert.Equal(Errnos.EEXIST, DeviceNodes.TryMknod(path, DeviceNodes.S_IFCHR | 0x180, DeviceNodes.MakeDev(1, 3)));

        var st = DeviceNodes.Lstat(path);
        Assert.Equal(DeviceNodes.S_IFCHR | 0x1B6, st.Mode);
        Assert.Equal(DeviceNodes.MakeDev(1, 3), st.DeviceNumber);
        Assert.Equal((1000u, 1001u), (st.Uid, st.Gid));
    }

    [Fact]
    public void Lchown_changes_the_link_not_its_target()
    {
        Root.Require();
        using var dir = new TempDir("quai-lchown");
        var target = dir.Combine("target");
        File.WriteAllText(target, "x");
        var link = dir.Combine("link");
        File.CreateSymbolicLink(link, target);
        DeviceNodes.Lchown(link, 1234, 5678);
        Assert.Equal((1234u, 5678u), (DeviceNodes.Lstat(link).Uid, DeviceNodes.Lstat(link).Gid));
        Assert.Equal((0u, 0u), (DeviceNodes.Lstat(target).Uid, DeviceNodes.Lstat(target).Gid));
    }

    [Fact]
    public void Lstat_of_a_missing_path_names_it()
    {
        var e = Assert.Throws<LinuxException>(() => DeviceNodes.Lstat("/nonexistent/quai-lstat"));
        Assert.Equal(Errnos.ENOENT, e.Errno);
        Assert.Contains("/nonexistent/quai-lstat", e.Message, StringComparison.Ordinal);
    }

    private static string Stat(string path)
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%F %t:%T %a %u:%g", path]) { RedirectStandardOutput = true })!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return output;
    }
}
