using Quai.Oci.Runtime;
using Quai.Testing;

namespace Quai.Runtime.Tests.Security;

/// <summary>
/// Root integration: the filter is compiled before the root changes and loaded after, when
/// libseccomp.so.2 is no longer reachable (runtime-notes.md trap 4), as in the real runtime.
/// </summary>
public class RootChangeProbeTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FilterCompiledBeforeTheRootChangeLoadsAfterIt(bool noNewPrivileges)
    {
        using var dir = new TempDir();
        var rootfs = dir.Combine("rootfs");
        Busybox.CreateRootfs(rootfs);
        Assert.Empty(Directory.GetFiles(rootfs, "libseccomp*", SearchOption.AllDirectories));

        var spec = SecurityProbe.Shell("mkdir /tmp/denied; echo mkdir=$?; touch /tmp/allowed && echo touched; grep Seccomp: /proc/self/status");
        spec.Root = new Quai.Oci.Runtime.Root { Path = rootfs };
        spec.Process!.Capabilities = CapabilityProbeTests.Docker();
        spec.Process.NoNewPrivileges = noNewPrivileges;
        spec.Linux = new Quai.Oci.Runtime.Linux
        {
            Seccomp = new LinuxSeccomp
            {
                DefaultAction = "SCMP_ACT_ALLOW",
                Syscalls = [new LinuxSyscall { Names = ["mkdir", "mkdirat"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 1 }],
            },
        };
        // /proc inside the chroot: the test reads the exec'd program's status from there.
        Directory.CreateDirectory(Path.Combine(rootfs, "proc"));
        using var proc = BindMount.Create("/proc", Path.Combine(rootfs, "proc"));

        var result = SecurityProbe.Run(spec);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("mkdir=1", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("touched", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(2UL, result.StatusMask("Seccomp"));
        Assert.False(Directory.Exists(Path.Combine(rootfs, "tmp", "denied")));
        Assert.True(File.Exists(Path.Combine(rootfs, "tmp", "allowed")));
    }
}
