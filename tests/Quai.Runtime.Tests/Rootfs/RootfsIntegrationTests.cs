namespace Quai.Runtime.Tests.Rootfs;

/// <summary>Root, real kernel: what a process sees after RootfsSetup.Prepare and Finalize.</summary>
public sealed class RootfsIntegrationTests(StandardContainerFixture fixture) : IClassFixture<StandardContainerFixture>
{
    private ProbeResult R => fixture.Result;

    [Fact]
    public void The_probe_runs_to_the_end_of_its_script()
    {
        Assert.True(R.ExitCode == 0, R.ToString());
        Assert.Equal("yes", R["DONE"]);
        Assert.Contains("probe: before pivot", R.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_rootfs_is_slash_and_host_files_are_absent()
    {
        Assert.Equal("absent", R["HOST_WORK"]);
        var entries = R["ROOT_LS"].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("bin", entries);
        Assert.Contains("etc", entries);
        Assert.DoesNotContain("work", entries);
        Assert.Equal("0", R["MOUNTS_WITH_HOST_PATHS"]);
    }

    [Fact]
    public void Proc_shows_only_the_containers_processes()
    {
        Assert.Equal("1", R["SELF"]);
        Assert.Equal("sh", R["PID1"]);

        // Counted by a shell glob, without a child process: only the shell itself is there.
        Assert.Equal("1", R["PROC_PIDS"]);
    }

    [Fact]
    public void Dev_has_exactly_the_default_and_configured_devices_and_symlinks()
    {
        Assert.Equal(
            ["fd", "full", "fuse", "mqueue", "net", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout", "tty", "urandom", "zero"],
            R["DEVS"].Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("DEV_NULL", "character special file 1:3 666 0:0")]
    [InlineData("DEV_ZERO", "character special file 1:5 666 0:0")]
    [InlineData("DEV_FULL", "character special file 1:7 600 0:5")]
    [InlineData("DEV_RANDOM", "character special file 1:8 666 0:0")]
    [InlineData("DEV_URANDOM", "character special file 1:9 666 0:0")]
    [InlineData("DEV_TTY", "character special file 5:0 666 0:0")]
    [InlineData("DEV_FUSE", "character special file a:e5 600 1000:1001")]
    [InlineData("DEV_NET_TUN", "character special file a:c8 666 0:0")]
    public void Device_nodes_have_the_right_numbers_mode_and_owner(string key, string expected) =>
        Assert.Equal(expected, R[key]);

    [Fact]
    public void Dev_symlinks_point_into_proc_and_devpts()
    {
        Assert.Equal("pts/ptmx", R["PTMX"]);
        Assert.Equal("/proc/self/fd", R["FD"]);
        Assert.Equal("/proc/self/fd/2", R["STDERR"]);
        Assert.Equal("ok", R["PTS"]);
        Assert.Equal("ok", R["NULL_WRITE"]);
        Assert.Equal("absent", R["CONSOLE"]);
    }

    [Fact]
    public void A_read_only_bind_mount_refuses_writes_but_reads()
    {
        Assert.Equal("from-host", R["DATA_READ"]);
        Assert.Equal("refused", R["DATA_WRITE"]);
        Assert.False(File.Exists(fixture.Bundle.Combine("data", "new")));
    }

    [Fact]
    public void A_writable_bind_mount_writes_through_to_the_host()
    {
        Assert.Equal("ok", R["RW_WRITE"]);
        Assert.Equal("written\n", File.ReadAllText(fixture.Bundle.Combine("rwdir", "out")));
    }

    [Fact]
    public void Tmpfs_size_mode_and_flags_are_applied()
    {
        Assert.Contains("size=1024k", R["SCRATCH"], StringComparison.Ordinal);
        Assert.Contains("mode=710", R["SCRATCH"], StringComparison.Ordinal);
        Assert.Equal("710", R["SCRATCH_MODE"]);
        Assert.Contains("nosuid", R["SCRATCH_FLAGS"], StringComparison.Ordinal);
        Assert.Contains("nodev", R["SCRATCH_FLAGS"], StringComparison.Ordinal);
    }

    [Fact]
    public void Tmpcopyup_keeps_the_image_files_in_a_writable_tmpfs()
    {
        Assert.Equal("tmpfs", R["ETC_FS"]);
        Assert.StartsWith("root:x:0:0:", R["PASSWD"], StringComparison.Ordinal);
        Assert.Equal("ok", R["ETC_WRITE"]);
        Assert.False(File.Exists(Path.Combine(fixture.Bundle.Rootfs, "etc", "new")));
    }

    [Fact]
    public void Masked_paths_read_empty()
    {
        Assert.Equal("0", R["KEYS_BYTES"]);
        Assert.Equal("0", R["SECRET_FILE_BYTES"]);
        Assert.Equal("0", R["SECRET_DIR_ENTRIES"]);
        Assert.Equal("refused", R["SECRET_DIR_WRITE"]);
        Assert.Equal("0", R["FIRMWARE_ENTRIES"]);
    }

    [Fact]
    public void Sysctl_is_applied_and_proc_sys_is_read_only()
    {
        Assert.Equal("123456789", R["SHMMAX"]);
        Assert.Equal("refused", R["PROCSYS_WRITE"]);
    }

    [Fact]
    public void The_read_only_root_refuses_writes()
    {
        Assert.Equal("refused", R["ROOT_WRITE"]);
        Assert.StartsWith("ro", R["ROOT_FLAGS"], StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(fixture.Bundle.Rootfs, "newfile")));
    }

    [Fact]
    public void Hostname_and_domainname_are_set()
    {
        Assert.Equal("probe-host", R["HOSTNAME"]);
        Assert.Equal("probe.example", R["DOMAINNAME"]);
    }

    [Fact]
    public void Mount_destinations_through_hostile_symlinks_land_inside_the_rootfs()
    {
        // Inside, the mounts sit at the host-looking path re-rooted in the rootfs ...
        Assert.Equal(fixture.OutsideAbs + "/mnt", R["ABS_ESCAPE"]);
        Assert.Equal(fixture.OutsideRel + "/mnt", R["REL_ESCAPE"]);
        Assert.True(Directory.Exists(fixture.Bundle.Rootfs + fixture.OutsideAbs + "/mnt"));

        // ... and the real host directories they pointed at were not touched.
        Assert.False(Directory.Exists(Path.Combine(fixture.OutsideAbs, "mnt")));
        Assert.False(Directory.Exists(Path.Combine(fixture.OutsideRel, "mnt")));
    }

    [Fact]
    public void Cgroup_mount_shows_the_v1_hierarchies_and_unified_read_only()
    {
        var names = R["CGROUPS"].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var host = Directory.GetFileSystemEntries("/sys/fs/cgroup").Select(Path.GetFileName).ToArray();
        Assert.Equal(host.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        Assert.EndsWith(":memory:/", R["CGROUP_MEMORY"], StringComparison.Ordinal);
        Assert.Equal("ok", R["CGROUP_MEMORY_FILES"]);
        Assert.Equal("refused", R["CGROUP_WRITE"]);
        Assert.Equal("refused", R["SYS_WRITE"]);
    }
}
