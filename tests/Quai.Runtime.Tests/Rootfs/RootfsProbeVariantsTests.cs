using Quai.Oci.Runtime;

namespace Quai.Runtime.Tests.Rootfs;

/// <summary>Root, real kernel: variants and refusals, each in its own probe run.</summary>
public sealed class RootfsProbeVariantsTests
{
    private const string Basics = """
        echo ROOT_LS=$(ls / | tr '\n' ' ')
        test -e /work && echo HOST_WORK=present || echo HOST_WORK=absent
        echo PID1=$(cat /proc/1/comm)
        echo DEV_NULL=$(stat -c '%F %t:%T' /dev/null)
        echo DEV_NULL_MOUNTS=$(awk '$5 == "/dev/null"' /proc/self/mountinfo | wc -l)
        echo CONSOLE=$(stat -c '%F %t:%T' /dev/console 2>/dev/null || echo absent)
        touch /dev/x 2>/dev/null && echo DEV_WRITE=ok || echo DEV_WRITE=refused
        echo DEV_FLAGS=$(awk '$5 == "/dev" { print $6 }' /proc/self/mountinfo)
        echo ROOT_OPTIONAL=$(awk '$5 == "/" { print $7 }' /proc/self/mountinfo)
        echo DONE=yes
        """;

    [Fact]
    public void No_pivot_moves_the_rootfs_onto_slash_and_chroots()
    {
        using var bundle = new ProbeBundle(Basics);
        var r = bundle.Run(["--no-pivot"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("yes", r["DONE"]);
        Assert.Equal("absent", r["HOST_WORK"]);
        Assert.Equal("sh", r["PID1"]);
        Assert.Contains("bin", r["ROOT_LS"].Split(' '));
    }

    [Fact]
    public void A_read_only_dev_gets_its_devices_before_it_is_made_read_only()
    {
        using var bundle = new ProbeBundle(Basics);
        bundle.Spec.Mounts!.Single(m => m.Destination == "/dev").Options!.Add("ro");
        var r = bundle.Run();
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("character special file 1:3", r["DEV_NULL"]);
        Assert.Equal("refused", r["DEV_WRITE"]);

        // The read-only remount keeps the mount's other flags.
        Assert.Equal("ro,nosuid", r["DEV_FLAGS"]);
    }

    [Fact]
    public void Without_CAP_MKNOD_the_host_device_nodes_are_bind_mounted()
    {
        using var bundle = new ProbeBundle(Basics);

        // For root, dropping a capability from the bounding set removes it from what execve grants.
        var r = bundle.Run(wrapper: ["setpriv", "--bounding-set", "-mknod"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("character special file 1:3", r["DEV_NULL"]);
        Assert.Equal("1", r["DEV_NULL_MOUNTS"]);
    }

    [Fact]
    public void The_console_is_the_given_terminal_bound_onto_dev_console()
    {
        using var bundle = new ProbeBundle(Basics);
        var r = bundle.Run(["--console", "/dev/zero"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("character special file 1:5", r["CONSOLE"]);
    }

    [Fact]
    public void A_shared_root_propagation_is_applied_to_the_new_root()
    {
        using var bundle = new ProbeBundle(Basics);
        bundle.Spec.Linux!.RootfsPropagation = "shared";
        var r = bundle.Run();
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("shared:", r["ROOT_OPTIONAL"], StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_cgroup_namespace_the_containers_own_cgroups_are_bound()
    {
        using var bundle = new ProbeBundle("""
            echo MEMORY_ROOT=$(awk '$5 == "/sys/fs/cgroup/memory" { print $4 }' /proc/self/mountinfo)
            echo UNIFIED_ROOT=$(awk '$5 == "/sys/fs/cgroup/unified" { print $4 }' /proc/self/mountinfo)
            echo MEMORY_RO=$(awk '$5 == "/sys/fs/cgroup/memory" { print $6 }' /proc/self/mountinfo)
            """);
        bundle.Spec.Linux!.Namespaces!.RemoveAll(n => n.Type == NamespaceTypes.Cgroup);
        var r = bundle.Run();
        Assert.True(r.ExitCode == 0, r.ToString());

        // The probe is this test's child, so it starts in the same cgroups.
        var own = File.ReadAllLines("/proc/self/cgroup").Select(l => l.Split(':', 3)).ToList();
        Assert.Equal(own.Single(p => p[1] == "memory")[2], r["MEMORY_ROOT"]);
        Assert.Equal(own.Single(p => p[0] == "0")[2], r["UNIFIED_ROOT"]);
        Assert.StartsWith("ro,", r["MEMORY_RO"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_without_a_mount_namespace_is_refused()
    {
        using var bundle = new ProbeBundle(Basics);
        bundle.Spec.Linux!.Namespaces!.RemoveAll(n => n.Type == NamespaceTypes.Mount);
        var r = bundle.Run();
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("no mount namespace", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_recursively_shared_root_can_still_pivot()
    {
        // pivot_root(2) fails with EINVAL when the new root's parent mount is shared: Prepare
        // must make that parent private first (runc rootfsParentMountPrivate).
        using var bundle = new ProbeBundle(Basics);
        bundle.Spec.Linux!.RootfsPropagation = "rshared";
        var r = bundle.Run();
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("absent", r["HOST_WORK"]);
        Assert.StartsWith("shared:", r["ROOT_OPTIONAL"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unbindable")]
    [InlineData("runbindable")]
    public void An_unbindable_root_is_made_unbindable_after_the_last_bind(string propagation)
    {
        // The rootfs lives on the host's "/" (under $TMPDIR): binding it from an unbindable "/"
        // would fail with EINVAL (runtime-tools linux_rootfs_propagation), and so would the
        // read-only path binds (/bin on the root mount itself, /proc/bus under it).
        using var bundle = new ProbeBundle(Basics);
        bundle.Spec.Linux!.RootfsPropagation = propagation;
        bundle.Spec.Linux.ReadonlyPaths = [.. bundle.Spec.Linux.ReadonlyPaths ?? [], "/bin"];
        var r = bundle.Run();
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("absent", r["HOST_WORK"]);
        Assert.Equal("unbindable", r["ROOT_OPTIONAL"]);
    }

    [Fact]
    public void An_unknown_root_propagation_is_refused()
    {
        using var bundle = new ProbeBundle(Basics);
        bundle.Spec.Linux!.RootfsPropagation = "sideways";
        var r = bundle.Run();
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("linux.rootfsPropagation 'sideways'", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rootfs_reached_through_a_symlink_is_resolved()
    {
        using var bundle = new ProbeBundle(Basics);
        File.CreateSymbolicLink(bundle.Combine("rootfs-link"), bundle.Rootfs);
        bundle.Spec.Root!.Path = "rootfs-link";
        var r = bundle.Run();
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("absent", r["HOST_WORK"]);
        Assert.Equal("sh", r["PID1"]);
    }

    [Fact]
    public void A_missing_rootfs_is_named()
    {
        using var bundle = new ProbeBundle(Basics);
        bundle.Spec.Root!.Path = "no-such-rootfs";
        var r = bundle.Run();
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("root.path 'no-such-rootfs' does not exist", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_global_sysctl_is_refused_before_anything_is_mounted()
    {
        using var bundle = new ProbeBundle(Basics);
        bundle.Spec.Linux!.Sysctl = new() { ["kernel.panic"] = "1" };
        var r = bundle.Run();
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("sysctl 'kernel.panic' is not namespaced", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("before pivot", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hostname_without_a_uts_namespace_is_refused()
    {
        using var bundle = new ProbeBundle(Basics);
        bundle.Spec.Hostname = "nope";
        bundle.Spec.Linux!.Namespaces!.RemoveAll(n => n.Type == NamespaceTypes.Uts);
        var r = bundle.Run();
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("hostname 'nope' needs a UTS namespace", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bind_mount_inside_proc_is_refused()
    {
        using var bundle = new ProbeBundle(Basics);
        bundle.Spec.Mounts!.Add(new Mount { Destination = "/proc/sysrq-trigger", Type = "bind", Source = "/dev/null", Options = ["bind"] });
        var r = bundle.Run();
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("/proc/sysrq-trigger cannot be mounted because it is inside /proc", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_bind_source_is_named()
    {
        using var bundle = new ProbeBundle(Basics);
        bundle.Spec.Mounts!.Add(new Mount { Destination = "/data", Source = "/nonexistent/quai-source", Options = ["rbind"] });
        var r = bundle.Run();
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("/nonexistent/quai-source", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("does not exist", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_idmapped_mount_is_refused()
    {
        using var bundle = new ProbeBundle(Basics);
        bundle.Spec.Mounts!.Add(new Mount { Destination = "/data", Source = "/tmp", Options = ["rbind", "idmap"] });
        var r = bundle.Run();
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("mount /data: mount option 'idmap'", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_bind_mount_creates_a_file_mount_point()
    {
        using var bundle = new ProbeBundle("echo HOSTNAME_FILE=$(cat /etc/hostname)\necho KIND=$(stat -c %F /etc/hostname)");
        File.WriteAllText(bundle.Combine("hostname"), "from-bundle\n");
        bundle.Spec.Mounts!.Add(new Mount { Destination = "/etc/hostname", Type = "bind", Source = "hostname", Options = ["rbind", "ro"] });
        var r = bundle.Run();
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("from-bundle", r["HOSTNAME_FILE"]);
        Assert.Equal("regular file", r["KIND"]);
    }
}
