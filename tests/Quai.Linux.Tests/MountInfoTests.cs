namespace Quai.Linux.Tests;

public sealed class MountInfoTests
{
    [Fact]
    public void Parses_the_man_page_example()
    {
        var m = MountInfo.ParseLine("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue");
        Assert.Equal(36, m.MountId);
        Assert.Equal(35, m.ParentId);
        Assert.Equal("98:0", m.Device);
        Assert.Equal("/mnt1", m.Root);
        Assert.Equal("/mnt2", m.MountPoint);
        Assert.Equal("rw,noatime", m.MountOptions);
        Assert.Equal(["master:1"], m.OptionalFields);
        Assert.Equal("ext3", m.FileSystemType);
        Assert.Equal("/dev/root", m.Source);
        Assert.Equal("rw,errors=continue", m.SuperOptions);
        Assert.False(m.IsShared);
    }

    [Fact]
    public void Parses_lines_without_and_with_several_optional_fields()
    {
        var none = MountInfo.ParseLine("22 27 0:21 / /proc rw,relatime - proc proc rw");
        Assert.Empty(none.OptionalFields);
        Assert.Equal("proc", none.FileSystemType);

        var many = MountInfo.ParseLine("40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime shared:9 master:3 - cgroup cgroup rw,name=systemd");
        Assert.Equal(["shared:9", "master:3"], many.OptionalFields);
        Assert.True(many.IsShared);
        Assert.Equal("rw,name=systemd", many.SuperOptions);
    }

    [Fact]
    public void Unescapes_octal_sequences_in_paths()
    {
        var m = MountInfo.ParseLine(@"50 27 0:40 / /tmp/with\040space\011tab\134back rw - tmpfs my\040tmpfs rw");
        Assert.Equal("/tmp/with space\ttab\\back", m.MountPoint);
        Assert.Equal("my tmpfs", m.Source);
    }

    [Fact]
    public void A_field_that_is_dash_before_the_separator_position_is_not_mistaken_for_it()
    {
        // The root and mount point can be "-"-looking only at index 3/4; the separator search starts at 6.
        var m = MountInfo.ParseLine("50 27 0:40 - /mnt rw - tmpfs tmpfs rw");
        Assert.Equal("-", m.Root);
        Assert.Equal("tmpfs", m.FileSystemType);
    }

    [Theory]
    [InlineData("")]
    [InlineData("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 ext3 /dev/root rw")]
    [InlineData("x 35 98:0 /mnt1 /mnt2 rw - ext3 /dev/root rw")]
    [InlineData("36 35 98:0 /mnt1 /mnt2 rw -")]
    public void Malformed_lines_throw_naming_the_line(string line)
    {
        var e = Assert.Throws<FormatException>(() => MountInfo.ParseLine(line));
        Assert.Contains(line, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_skips_the_trailing_newline()
    {
        var all = MountInfo.Parse("22 27 0:21 / /proc rw - proc proc rw\n23 27 0:22 / /sys rw - sysfs sysfs rw\n");
        Assert.Equal(["/proc", "/sys"], all.Select(m => m.MountPoint));
    }

    [Fact]
    public void Reads_this_process_mount_table()
    {
        var all = MountInfo.ReadSelf();
        Assert.Contains(all, m => m.MountPoint == "/");
        Assert.Contains(all, m => m.MountPoint == "/proc" && m.FileSystemType == "proc");
    }
}
