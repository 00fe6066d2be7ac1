using System.Globalization;
using Quai.Oci.Runtime;

namespace Quai.Runtime.Tests.Security;

/// <summary>Root integration: process.rlimits seen by a real exec'd program.</summary>
public class RlimitProbeTests
{
    [Fact]
    public void NofileBelowTheHardLimitShowsInUlimit()
    {
        var spec = SecurityProbe.Shell("ulimit -n; ulimit -Hn");
        spec.Process!.Rlimits = [new Rlimit { Type = "RLIMIT_NOFILE", Soft = 512, Hard = 1024 }];
        var result = SecurityProbe.Run(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["512", "1024"], result.Stdout.Trim().Split('\n'));
    }

    [Fact]
    public void RaisingTheHardLimitFailsClearlyWithoutSysResource()
    {
        var (soft, hard) = CurrentNofile();
        var spec = SecurityProbe.Shell("ulimit -Hn");
        spec.Process!.Rlimits = [new Rlimit { Type = "RLIMIT_NOFILE", Soft = soft, Hard = hard + 1000 }];
        var result = SecurityProbe.Run(spec);
        if (CapabilityProbeTests.HasSysResource())
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal((hard + 1000).ToString(CultureInfo.InvariantCulture), result.Stdout.Trim());
        }
        else
        {
            Assert.Equal(SecurityProbe.ProbeFailed, result.ExitCode);
            Assert.Contains("RLIMIT_NOFILE", result.Stderr, StringComparison.Ordinal);
            Assert.Contains((hard + 1000).ToString(CultureInfo.InvariantCulture), result.Stderr, StringComparison.Ordinal);
            Assert.Contains($"hard {hard}", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("CAP_SYS_RESOURCE", result.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheCurrentValuesAreAccepted()
    {
        var (soft, hard) = CurrentNofile();
        var spec = SecurityProbe.Shell("ulimit -n; ulimit -Hn");
        spec.Process!.Rlimits = [new Rlimit { Type = "RLIMIT_NOFILE", Soft = soft, Hard = hard }, new Rlimit { Type = "RLIMIT_CORE", Soft = 0, Hard = 0 }];
        var result = SecurityProbe.Run(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([soft.ToString(CultureInfo.InvariantCulture), hard.ToString(CultureInfo.InvariantCulture)], result.Stdout.Trim().Split('\n'));
    }

    /// <summary>The test process's RLIMIT_NOFILE, which the probe (its child) inherits.</summary>
    private static (ulong Soft, ulong Hard) CurrentNofile()
    {
        var line = File.ReadLines("/proc/self/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var parts = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (ulong.Parse(parts[0], CultureInfo.InvariantCulture), ulong.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
