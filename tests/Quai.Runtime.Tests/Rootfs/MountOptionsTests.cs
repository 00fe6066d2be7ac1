using Quai.Runtime.Rootfs;
using static Quai.Linux.MountFlags;

namespace Quai.Runtime.Tests.Rootfs;

public sealed class MountOptionsTests
{
    public static TheoryData<string, ulong, ulong> Flags => new()
    {
        { "defaults", 0, 0 },
        { "ro", MS_RDONLY, 0 },
        { "rw", 0, MS_RDONLY },
        { "suid", 0, MS_NOSUID },
        { "nosuid", MS_NOSUID, 0 },
        { "dev", 0, MS_NODEV },
        { "nodev", MS_NODEV, 0 },
        { "exec", 0, MS_NOEXEC },
        { "noexec", MS_NOEXEC, 0 },
        { "sync", MS_SYNCHRONOUS, 0 },
        { "async", 0, MS_SYNCHRONOUS },
        { "dirsync", MS_DIRSYNC, 0 },
        { "remount", MS_REMOUNT, 0 },
        { "mand", MS_MANDLOCK, 0 },
        { "nomand", 0, MS_MANDLOCK },
        { "atime", 0, MS_NOATIME },
        { "noatime", MS_NOATIME, 0 },
        { "diratime", 0, MS_NODIRATIME },
        { "nodiratime", MS_NODIRATIME, 0 },
        { "relatime", MS_RELATIME, 0 },
        { "norelatime", 0, MS_RELATIME },
        { "strictatime", MS_STRICTATIME, 0 },
        { "nostrictatime", 0, MS_STRICTATIME },
        { "bind", MS_BIND, 0 },
        { "rbind", MS_BIND | MS_REC, 0 },
    };

    [Theory]
    [MemberData(nameof(Flags))]
    public void Each_flag_option_sets_or_clears_its_flag(string option, ulong set, ulong clear)
    {
        var parsed = MountOptions.Parse([option]);
        Assert.Equal(set, parsed.Flags);
        Assert.Equal(clear, parsed.ClearFlags);
        Assert.Empty(parsed.PropagationFlags);
        Assert.Equal("", parsed.Data);
    }

    [Theory]
    [InlineData("private", MS_PRIVATE)]
    [InlineData("rprivate", MS_PRIVATE | MS_REC)]
    [InlineData("shared", MS_SHARED)]
    [InlineData("rshared", MS_SHARED | MS_REC)]
    [InlineData("slave", MS_SLAVE)]
    [InlineData("rslave", MS_SLAVE | MS_REC)]
    [InlineData("unbindable", MS_UNBINDABLE)]
    [InlineData("runbindable", MS_UNBINDABLE | MS_REC)]
    public void Propagation_options_are_kept_apart_from_the_flags(string option, ulong propagation)
    {
        var parsed = MountOptions.Parse(["nosuid", option]);
        Assert.Equal(MS_NOSUID, parsed.Flags);
        Assert.Equal([propagation], parsed.PropagationFlags);
    }

    [Fact]
    public void Unknown_options_become_filesystem_data_in_order()
    {
        var parsed = MountOptions.Parse(["nosuid", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", "noexec"]);
        Assert.Equal(MS_NOSUID | MS_NOEXEC, parsed.Flags);
        Assert.Equal("newinstance,ptmxmode=0666,mode=0620,gid=5", parsed.Data);
    }

    [Fact]
    public void A_tmpfs_with_size_and_mode_keeps_both_as_data()
    {
        var parsed = MountOptions.Parse(["nosuid", "strictatime", "mode=755", "size=65536k"]);
        Assert.Equal(MS_NOSUID | MS_STRICTATIME, parsed.Flags);
        Assert.Equal("mode=755,size=65536k", parsed.Data);
    }

    [Fact]
    public void A_later_option_wins_over_an_earlier_opposite_one()
    {
        var roThenRw = MountOptions.Parse(["ro", "rw"]);
        Assert.Equal(0UL, roThenRw.Flags & MS_RDONLY);
        Assert.Equal(MS_RDONLY, roThenRw.ClearFlags);

        var rwThenRo = MountOptions.Parse(["rw", "ro"]);
        Assert.Equal(MS_RDONLY, rwThenRo.Flags);
        Assert.Equal(0UL, rwThenRo.ClearFlags);
    }

    [Fact]
    public void Bind_and_rbind_are_reported()
    {
        Assert.True(MountOptions.Parse(["bind"]).Bind);
        Assert.False(MountOptions.Parse(["bind"]).RecursiveBind);
        Assert.True(MountOptions.Parse(["rbind", "ro"]).RecursiveBind);
        Assert.False(MountOptions.Parse(["ro"]).Bind);
    }

    [Fact]
    public void Tmpcopyup_is_an_extension_not_data()
    {
        var parsed = MountOptions.Parse(["tmpcopyup", "size=1m"]);
        Assert.True(parsed.TmpCopyUp);
        Assert.Equal("size=1m", parsed.Data);
    }

    [Theory]
    [InlineData("idmap")]
    [InlineData("ridmap")]
    public void Idmapped_mounts_are_refused_clearly(string option)
    {
        var e = Assert.Throws<ArgumentException>(() => MountOptions.Parse(["rbind", option]));
        Assert.Contains(option, e.Message, StringComparison.Ordinal);
        Assert.Contains("not supported", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rro")]
    [InlineData("rnosuid")]
    [InlineData("rrelatime")]
    public void Recursive_attribute_options_are_refused_clearly(string option)
    {
        var e = Assert.Throws<ArgumentException>(() => MountOptions.Parse([option]));
        Assert.Contains(option, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_options_means_no_flags()
    {
        var parsed = MountOptions.Parse(null);
        Assert.Equal(0UL, parsed.Flags);
        Assert.Equal("", parsed.Data);
        Assert.False(parsed.TmpCopyUp);
    }
}
