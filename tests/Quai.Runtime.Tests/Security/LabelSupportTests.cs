using Quai.Runtime.Security;

namespace Quai.Runtime.Tests.Security;

public class LabelSupportTests
{
    [Fact]
    public void NoLabelsNoWarnings() => Assert.Empty(LabelSupport.Apply(null, ""));

    [Fact]
    public void LabelsOnAHostWithoutTheLsmGiveAWarning()
    {
        // On a host that has the LSM, Apply would change this thread's exec label; this test is
        // about the hosts Quai's CI runs on, which have neither (checked, not assumed).
        Assert.False(LabelSupport.AppArmorEnabled, "this host has AppArmor: the warning path cannot be tested here");
        Assert.False(LabelSupport.SelinuxEnabled, "this host has SELinux: the warning path cannot be tested here");
        var warnings = LabelSupport.Apply("docker-default", "system_u:system_r:container_t:s0");
        Assert.Equal(2, warnings.Count);
        Assert.Contains("docker-default", warnings[0], StringComparison.Ordinal);
        Assert.Contains("container_t", warnings[1], StringComparison.Ordinal);
    }
}
