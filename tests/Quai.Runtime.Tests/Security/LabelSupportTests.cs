using Quai.Runtime.Security;

namespace Quai.Runtime.Tests.Security;

public class LabelSupportTests
{
    [Fact]
    public void NoLabelsNoWarnings() => Assert.Empty(LabelSupport.Apply(null, "", appArmorEnabled: false, selinuxEnabled: false));

    [Fact]
    public void LabelsForDisabledLsmsBecomeWarningsNamingThem()
    {
        var warnings = LabelSupport.Apply("docker-default", "system_u:system_r:container_t:s0", appArmorEnabled: false, selinuxEnabled: false);
        Assert.Equal(2, warnings.Count);
        Assert.Contains("docker-default", warnings[0], StringComparison.Ordinal);
        Assert.Contains(LabelSupport.AppArmorPath, warnings[0], StringComparison.Ordinal);
        Assert.Contains("container_t", warnings[1], StringComparison.Ordinal);
        Assert.Contains(LabelSupport.SelinuxPath, warnings[1], StringComparison.Ordinal);
    }

    [Fact]
    public void HostDetectionFollowsSysfs()
    {
        var moduleOn = File.Exists(LabelSupport.AppArmorModuleSwitch) && File.ReadAllText(LabelSupport.AppArmorModuleSwitch).StartsWith('Y');
        Assert.Equal(Directory.Exists("/sys/kernel/security/apparmor") || moduleOn, LabelSupport.AppArmorEnabled);
        Assert.Equal(File.Exists("/sys/fs/selinux/enforce"), LabelSupport.SelinuxEnabled);
    }

    [Fact]
    public void ProfileOnAHostWithoutAppArmorIsAWarningAndTheProgramRuns()
    {
        var spec = SecurityProbe.Shell("echo ran");
        spec.Process!.ApparmorProfile = "quai-test-profile";
        var result = SecurityProbe.Run(spec);
        if (LabelSupport.AppArmorEnabled)
        {
            // The profile is not loaded on this host: the kernel refuses the exec label.
            Assert.Equal(SecurityProbe.ProbeFailed, result.ExitCode);
            Assert.Contains("quai-test-profile", result.Stderr, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal("ran", result.Stdout.Trim());
            Assert.Contains("warning: process.apparmorProfile \"quai-test-profile\" ignored", result.Stderr, StringComparison.Ordinal);
        }
    }
}
