using Quai.Oci.Runtime;
using Quai.Testing;

namespace Quai.Runtime.Tests.Conformance;

/// <summary>
/// config-linux.md#user-namespace-mappings: a new user namespace with uid/gid maps; root in the
/// container is an unprivileged host uid, with its capabilities only over the container's own
/// namespaces; exec joins the same user namespace.
/// </summary>
public sealed class UserNamespaceTests
{
    private const uint HostBase = 100000;

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Container_root_is_the_mapped_host_uid(string runtime)
    {
        using var c = MappedContainer(runtime, "sleep", "30");
        c.Create();
        var pid = c.State().Pid;
        // Seen from the host, the container's root is the mapped uid and gid, not root.
        var status = File.ReadAllLines($"/proc/{pid}/status");
        Assert.Contains($"Uid:\t{HostBase}\t{HostBase}\t{HostBase}\t{HostBase}", status);
        Assert.Contains($"Gid:\t{HostBase}\t{HostBase}\t{HostBase}\t{HostBase}", status);
        Assert.NotEqual(File.ReadAllText("/proc/self/uid_map"), File.ReadAllText($"/proc/{pid}/uid_map"));
        c.Cli("kill", c.Id, "KILL");
        c.WaitForStatus(ContainerStatus.Stopped);

        var r = ConformanceRun(runtime, "cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; cat /proc/self/status | grep ^CapEff");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.Equal($"0 {HostBase} 65536", lines[0]);
        Assert.Equal($"0 {HostBase} 65536", lines[1]);
        Assert.Equal("0", lines[2]);
        Assert.Equal("0", lines[3]);
        // The default capabilities are held, in the container's user namespace.
        Assert.StartsWith("CapEff:", lines[4]);
        Assert.NotEqual("CapEff:\t0000000000000000", lines[4]);
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Host_root_privileges_are_not_held(string runtime)
    {
        // /proc/sysrq-trigger is root's (0200) on the host, and the mapped root is not the host's root;
        // a mknod of a device needs CAP_MKNOD in the initial user namespace.
        var r = ConformanceRun(runtime, "echo h > /proc/sysrq-trigger 2>/dev/null && echo sysrq-written; mknod /tmp/null c 1 3 2>/dev/null && echo mknod-done; echo end");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("end\n", r.Stdout);
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void A_seccomp_filter_applies_in_a_user_namespace(string runtime)
    {
        // quai-runtime caches compiled filters under the state root (ROOT/@seccomp, 0700, made by the
        // first container below); the init of the second, the mapped root, can neither read nor
        // write there, which must cost only the cache (the runtime-tools linux_uid_mappings case).
        using var c = new ConformanceContainer(runtime, "sh", "-c", "mkdir /tmp/x 2>/dev/null && echo made || echo refused");
        MakeSearchable(c.StateRoot);
        c.Spec.Linux!.Seccomp = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Syscalls = [new LinuxSyscall { Names = ["mkdir", "mkdirat"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 1 }],
        };
        c.WriteConfig();
        var host = c.Run();
        Assert.True(host.ExitCode == 0, host.ToString());
        Assert.Equal("refused\n", host.Stdout);

        Map(c.Spec);
        c.WriteConfig();
        var mapped = c.Run();
        Assert.True(mapped.ExitCode == 0, mapped.ToString());
        Assert.Equal("refused\n", mapped.Stdout);
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Exec_joins_the_container_user_namespace(string runtime)
    {
        using var c = MappedContainer(runtime, "sleep", "30");
        c.Create();
        c.Start();
        var init = c.State().Pid;
        var r = c.Exec("sh", "-c", "cat /proc/self/uid_map; id -u; readlink /proc/self/ns/user");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.Equal($"0 {HostBase} 65536", lines[0]);
        Assert.Equal("0", lines[1]);
        Assert.Equal(new FileInfo($"/proc/{init}/ns/user").LinkTarget, lines[2]);
        Assert.NotEqual(new FileInfo("/proc/self/ns/user").LinkTarget, lines[2]);
    }

    [Fact]
    public void Quai_reaches_a_rootfs_under_a_private_directory()
    {
        // runc and crun fail here ("permission denied" binding the rootfs): their init is already the
        // mapped uid when it looks the rootfs up. quai-runtime binds it while still host root.
        using var c = new ConformanceContainer("quai", "sh", "-c", "id -u; ls /bin/busybox");
        Map(c.Spec);
        c.WriteConfig();
        MakeSearchable(c.StateRoot);
        File.SetUnixFileMode(c.Bundle, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var r = c.Run();
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("0\n/bin/busybox\n", r.Stdout);
    }

    [Fact]
    public void Quai_names_the_state_directory_the_mapped_root_cannot_search()
    {
        using var c = new ConformanceContainer("quai", "true");
        Map(c.Spec);
        c.WriteConfig();
        // The temp dir holding the state root is 0700.
        File.SetUnixFileMode(Path.GetDirectoryName(c.StateRoot)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var r = c.Run();
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("is not searchable by others", r.Stderr);
        Assert.Contains($"host uid {HostBase}", r.Stderr);
        Assert.False(Directory.Exists(Path.Combine(c.StateRoot, c.Id)), "the state directory of the failed create is removed");
    }

    [Fact]
    public void Quai_refuses_mappings_without_a_user_namespace()
    {
        using var c = new ConformanceContainer("quai", "true");
        c.Spec.Linux!.UidMappings = [new IdMapping { ContainerId = 0, HostId = HostBase, Size = 65536 }];
        c.Spec.Linux.GidMappings = [new IdMapping { ContainerId = 0, HostId = HostBase, Size = 65536 }];
        c.WriteConfig();
        var r = c.Run();
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("has no \"user\" namespace", r.Stderr);
    }

    private static RuntimeResult ConformanceRun(string runtime, string script)
    {
        using var c = MappedContainer(runtime, "sh", "-c", script);
        return c.Run();
    }

    /// <summary>
    /// A container with a new user namespace mapping 0-65535 to 100000-165535. runc and crun look the
    /// rootfs up as the mapped root, so the bundle's temp directory is made searchable for all three.
    /// </summary>
    private static ConformanceContainer MappedContainer(string runtime, params string[] args)
    {
        var c = new ConformanceContainer(runtime, args);
        Map(c.Spec);
        c.WriteConfig();
        MakeSearchable(c.StateRoot);
        return c;
    }

    private static void Map(Spec spec)
    {
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = NamespaceTypes.User });
        spec.Linux.UidMappings = [new IdMapping { ContainerId = 0, HostId = HostBase, Size = 65536 }];
        spec.Linux.GidMappings = [new IdMapping { ContainerId = 0, HostId = HostBase, Size = 65536 }];
    }

    private static void MakeSearchable(string stateRoot) =>
        File.SetUnixFileMode(Path.GetDirectoryName(stateRoot)!, File.GetUnixFileMode(Path.GetDirectoryName(stateRoot)!) | UnixFileMode.OtherExecute);
}
