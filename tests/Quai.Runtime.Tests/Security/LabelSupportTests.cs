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
        Assert.Equal(Directory.Exists("/sys/kernel/security/apparmor"), LabelSupport.AppArmorEnabled);
        Assert.Equal(File.Exists("/sys/fs/selinux/enforce"), LabelSupport.SelinuxEnabled);
    }
}
