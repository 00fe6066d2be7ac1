using static Quai.Linux.MountFlags;

namespace Quai.Linux.Tests;

public sealed class MountFlagsTests
{
    [Theory]
    [InlineData(0x1L, MS_RDONLY)]
    [InlineData(0x2L | 0x4L | 0x8L, MS_NOSUID | MS_NODEV | MS_NOEXEC)]
    [InlineData(0x400L, MS_NOATIME)]
    [InlineData(0x800L, MS_NODIRATIME)]
    [InlineData(0x1000L, MS_RELATIME)]
    [InlineData(0x2000L, MS_NOSYMFOLLOW)]
    [InlineData(0x20L, 0UL)]
    public void Statfs_flags_map_to_mount_flags(long statfs, ulong expected) =>
        Assert.Equal(expected, FromStatfsFlags(statfs));

    [Fact]
    public void Proc_is_mounted_nosuid_nodev_noexec_on_this_host_or_not_and_statfs_agrees_with_mountinfo()
    {
        var flags = Mounts.GetLockedFlags("/proc");
        var proc = MountInfo.ReadSelf().Last(m => m.MountPoint == "/proc");
        var options = proc.MountOptions.Split(',');
        Assert.Equal(options.Contains("ro"), (flags & MS_RDONLY) != 0);
        Assert.Equal(options.Contains("nosuid"), (flags & MS_NOSUID) != 0);
        Assert.Equal(options.Contains("relatime"), (flags & MS_RELATIME) != 0);
        Assert.Equal(0x9fa0, Mounts.GetFileSystemType("/proc"));
    }

    [Fact]
    public void Statfs_of_a_missing_path_names_the_path()
    {
        var e = Assert.Throws<LinuxException>(() => Mounts.GetLockedFlags("/nonexistent/quai-test"));
        Assert.Equal(Errnos.ENOENT, e.Errno);
        Assert.Contains("/nonexistent/quai-test", e.Message, StringComparison.Ordinal);
        Assert.Equal("statfs", e.Syscall);
    }
}
