using Quai.Oci.Runtime;
using Quai.Testing;

namespace Quai.Runtime.Tests.Security;

/// <summary>Root integration: seccomp filters loaded by the probe, seen by a real exec'd program.</summary>
public class SeccompProbeTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DeniedMkdirFailsWhileOtherCommandsWork(bool noNewPrivileges)
    {
        using var dir = new TempDir();
        var spec = SecurityProbe.Shell($"mkdir {dir.Combine("d")}; echo mkdir=$?; echo hello > {dir.Combine("f")} && cat {dir.Combine("f")}; grep Seccomp: /proc/self/status");
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
        var result = SecurityProbe.Run(spec);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("mkdir=1", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Operation not permitted", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("hello", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(2UL, result.StatusMask("Seccomp")); // SECCOMP_MODE_FILTER
        Assert.False(Directory.Exists(dir.Combine("d")));
    }

    [Fact]
    public void ErrnoRetIsTheErrorTheProgramSees()
    {
        using var dir = new TempDir();
        var spec = SecurityProbe.Shell($"mkdir {dir.Combine("d")}");
        spec.Linux = new Quai.Oci.Runtime.Linux
        {
            Seccomp = new LinuxSeccomp
            {
                DefaultAction = "SCMP_ACT_ALLOW",
                Syscalls = [new LinuxSyscall { Names = ["mkdir", "mkdirat"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 28 }],
            },
        };
        var result = SecurityProbe.Run(spec);
        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains("No space left on device", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ArgumentConditionDeniesOnlyThatValue()
    {
        // linux32 calls personality(PER_LINUX32 = 8), linux64 personality(PER_LINUX = 0).
        var spec = SecurityProbe.Shell("linux64 true; echo linux64=$?; linux32 true; echo linux32=$?");
        spec.Linux = new Quai.Oci.Runtime.Linux
        {
            Seccomp = new LinuxSeccomp
            {
                DefaultAction = "SCMP_ACT_ALLOW",
                Syscalls =
                [
                    new LinuxSyscall
                    {
                        Names = ["personality"],
                        Action = "SCMP_ACT_ERRNO",
                        Args = [new LinuxSeccompArg { Index = 0, Value = 8, Op = "SCMP_CMP_EQ" }],
                    },
                ],
            },
        };
        var result = SecurityProbe.Run(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("linux64=0", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("linux32=1", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SCMP_ACT_KILL")]
    [InlineData("SCMP_ACT_KILL_PROCESS")]
    public void KillActionKillsWithSigsys(string action)
    {
        using var dir = new TempDir();
        var spec = SecurityProbe.Spec("/bin/busybox", "mkdir", dir.Combine("d"));
        spec.Process!.NoNewPrivileges = true;
        spec.Linux = new Quai.Oci.Runtime.Linux
        {
            Seccomp = new LinuxSeccomp
            {
                DefaultAction = "SCMP_ACT_ALLOW",
                Syscalls = [new LinuxSyscall { Names = ["mkdir", "mkdirat"], Action = action }],
            },
        };
        var result = SecurityProbe.Run(spec);
        Assert.Equal(SecurityProbe.KilledBySigsys, result.ExitCode);
        Assert.False(Directory.Exists(dir.Combine("d")));
    }

    [Fact]
    public void DockerLikeProfileRunsAShellAndDeniesTheRest()
    {
        using var dir = new TempDir();
        var spec = SecurityProbe.Shell($"mkdir {dir.Combine("d")} && echo made; linux64 true; echo linux64=$?; unshare -n true; echo unshare=$?");
        spec.Process!.Capabilities = CapabilityProbeTests.Docker();
        spec.Process.NoNewPrivileges = true;
        spec.Linux = new Quai.Oci.Runtime.Linux { Seccomp = DockerLikeProfile.Create() };
        var result = SecurityProbe.Run(spec);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("made", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("linux64=0", result.Stdout, StringComparison.Ordinal);
        // unshare(2) is not in the profile: the default action, ERRNO(EPERM).
        Assert.Contains("unshare=1", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("quai_future_syscall", result.Stderr, StringComparison.Ordinal);
    }
}
