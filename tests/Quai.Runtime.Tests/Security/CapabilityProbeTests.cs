using Quai.Oci.Runtime;
using Quai.Testing;

namespace Quai.Runtime.Tests.Security;

/// <summary>Root integration: capabilities, no_new_privs and the user, seen by a real exec'd program.</summary>
public class CapabilityProbeTests
{
    private const ulong DockerDefaultMask = 0xa80425fb;
    private const string PrintStatus = "grep -E '^(Cap|NoNewPrivs|Seccomp:)' /proc/self/status";

    [Fact]
    public void DockerDefaultSetIsWhatTheProgramHas()
    {
        var spec = SecurityProbe.Shell("exec " + PrintStatus);
        spec.Process!.Capabilities = Docker();
        spec.Process.NoNewPrivileges = true;
        var result = SecurityProbe.Run(spec);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(DockerDefaultMask, result.StatusMask("CapEff"));
        Assert.Equal(DockerDefaultMask, result.StatusMask("CapPrm"));
        Assert.Equal(DockerDefaultMask, result.StatusMask("CapBnd"));
        Assert.Equal(0UL, result.StatusMask("CapInh"));
        Assert.Equal(0UL, result.StatusMask("CapAmb"));
        Assert.Equal(1UL, result.StatusMask("NoNewPrivs"));
    }

    [Fact]
    public void WithoutNoNewPrivilegesTheFlagStaysOff()
    {
        var spec = SecurityProbe.Shell("exec " + PrintStatus);
        spec.Process!.Capabilities = Docker();
        var result = SecurityProbe.Run(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(0UL, result.StatusMask("NoNewPrivs"));
    }

    [Fact]
    public void NonRootUserKeepsOnlyTheBoundingSet()
    {
        var spec = SecurityProbe.Shell("exec " + PrintStatus);
        spec.Process!.Capabilities = Docker();
        spec.Process.User = new User { Uid = 1000, Gid = 1000 };
        var result = SecurityProbe.Run(spec);

        Assert.True(result.ExitCode == 0, result.ToString());
        // execve(2) as non-root recomputes permitted from file and ambient caps: none here.
        Assert.Equal(0UL, result.StatusMask("CapEff"));
        Assert.Equal(0UL, result.StatusMask("CapPrm"));
        Assert.Equal(DockerDefaultMask, result.StatusMask("CapBnd"));
    }

    [Fact]
    public void AmbientCapabilitySurvivesExecForANonRootUser()
    {
        List<string> netBind = ["CAP_NET_BIND_SERVICE"];
        var spec = SecurityProbe.Shell("exec " + PrintStatus);
        spec.Process!.Capabilities = new Capabilities { Bounding = netBind, Effective = netBind, Permitted = netBind, Inheritable = netBind, Ambient = netBind };
        spec.Process.User = new User { Uid = 1000, Gid = 1000 };
        var result = SecurityProbe.Run(spec);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1UL << 10, result.StatusMask("CapAmb"));
        Assert.Equal(1UL << 10, result.StatusMask("CapEff"));
        Assert.Equal(1UL << 10, result.StatusMask("CapPrm"));
        Assert.Equal(1UL << 10, result.StatusMask("CapBnd"));
    }

    [Fact]
    public void UserGroupAndAdditionalGroupsAreSet()
    {
        var spec = SecurityProbe.Shell("id -u; id -g; id -G");
        spec.Process!.User = new User { Uid = 1234, Gid = 2345, AdditionalGids = [3456, 4567] };
        var result = SecurityProbe.Run(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["1234", "2345", "2345 3456 4567"], result.Stdout.Trim().Split('\n'));
    }

    [Fact]
    public void WithoutNetRawPingFailsAndWithItWorks()
    {
        const string ping = "ping -c 1 -W 2 127.0.0.1";
        var without = SecurityProbe.Shell(ping);
        without.Process!.Capabilities = Docker(except: "CAP_NET_RAW");
        var denied = SecurityProbe.Run(without);
        Assert.True(denied.ExitCode != 0, denied.ToString());
        Assert.Contains("ermission denied", denied.Stderr, StringComparison.Ordinal);

        var with = SecurityProbe.Shell(ping);
        with.Process!.Capabilities = Docker();
        var allowed = SecurityProbe.Run(with);
        Assert.True(allowed.ExitCode == 0, allowed.ToString());
    }

    [Fact]
    public void WithoutChownRootCannotChown()
    {
        using var dir = new TempDir();
        var file = dir.Combine("owned");
        File.WriteAllText(file, "x");

        var without = SecurityProbe.Shell($"chown 1000:1000 {file}");
        without.Process!.Capabilities = Docker(except: "CAP_CHOWN");
        var denied = SecurityProbe.Run(without);
        Assert.True(denied.ExitCode != 0, denied.ToString());
        Assert.Contains("not permitted", denied.Stderr, StringComparison.Ordinal);

        var with = SecurityProbe.Shell($"chown 1000:1000 {file} && stat -c %u:%g {file}");
        with.Process!.Capabilities = Docker();
        var allowed = SecurityProbe.Run(with);
        Assert.True(allowed.ExitCode == 0, allowed.ToString());
        Assert.Equal("1000:1000", allowed.Stdout.Trim());
    }

    [Fact]
    public void UnknownCapabilityStopsBeforeExec()
    {
        var spec = SecurityProbe.Shell("echo ran");
        spec.Process!.Capabilities = new Capabilities { Bounding = ["CAP_CHOWN", "CAP_WIZARDRY"] };
        var result = SecurityProbe.Run(spec);
        Assert.Equal(SecurityProbe.ProbeFailed, result.ExitCode);
        Assert.Contains("CAP_WIZARDRY", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("ran", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void OomScoreAdjIsRaisedAndLoweringNeedsSysResource()
    {
        var raise = SecurityProbe.Spec("/bin/busybox", "cat", "/proc/self/oom_score_adj");
        raise.Process!.OomScoreAdj = 500;
        var raised = SecurityProbe.Run(raise);
        Assert.True(raised.ExitCode == 0, raised.ToString());
        Assert.Equal("500", raised.Stdout.Trim());

        var lower = SecurityProbe.Spec("/bin/busybox", "cat", "/proc/self/oom_score_adj");
        lower.Process!.OomScoreAdj = -500;
        var lowered = SecurityProbe.Run(lower);
        if (HasSysResource())
        {
            Assert.True(lowered.ExitCode == 0, lowered.ToString());
            Assert.Equal("-500", lowered.Stdout.Trim());
        }
        else
        {
            Assert.Equal(SecurityProbe.ProbeFailed, lowered.ExitCode);
            Assert.Contains("CAP_SYS_RESOURCE", lowered.Stderr, StringComparison.Ordinal);
            Assert.Contains("-500", lowered.Stderr, StringComparison.Ordinal);
        }
    }

    internal static Capabilities Docker(string? except = null)
    {
        var set = CapabilityPlanTests.DockerDefault.Where(c => c != except).ToList();
        return new Capabilities { Bounding = set, Effective = set, Permitted = set };
    }

    internal static bool HasSysResource()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        return (ulong.Parse(line[7..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) & (1UL << 24)) != 0;
    }

    [Fact]
    public void NonRootUserUnderADockerLikeFilterWithoutNoNewPrivs()
    {
        // The filter is loaded before the user change (it needs CAP_SYS_ADMIN then), so
        // setgroups/setresgid/setresuid and capset run under it.
        var spec = SecurityProbe.Shell("id -u; " + PrintStatus);
        spec.Process!.Capabilities = Docker();
        spec.Process.User = new User { Uid = 1000, Gid = 1000, AdditionalGids = [1001] };
        spec.Linux = new Quai.Oci.Runtime.Linux { Seccomp = DockerLikeProfile.Create() };
        var result = SecurityProbe.Run(spec);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("1000\n", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(0UL, result.StatusMask("NoNewPrivs"));
        Assert.Equal(2UL, result.StatusMask("Seccomp"));
        Assert.Equal(DockerDefaultMask, result.StatusMask("CapBnd"));
    }
}
