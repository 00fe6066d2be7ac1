using Quai.Oci.Runtime;
using Quai.Runtime.Security;

namespace Quai.Runtime.Tests.Security;

public class SecurityFeaturesTests
{
    [Fact]
    public void FeaturesDescribeThisHost()
    {
        var linux = new LinuxFeatures();
        SecurityFeatures.Fill(linux);

        Assert.Equal(Quai.Linux.Capabilities.CapabilityNames.LastCap + 1, linux.Capabilities!.Count);
        Assert.Equal("CAP_CHOWN", linux.Capabilities[0]);
        Assert.True(linux.Seccomp!.Enabled);
        Assert.Contains("SCMP_ACT_NOTIFY", linux.Seccomp.Actions!);
        Assert.Contains("SCMP_CMP_MASKED_EQ", linux.Seccomp.Operators!);
        Assert.Contains("SCMP_ARCH_X86_64", linux.Seccomp.Archs!);
        Assert.Contains("SCMP_ARCH_AARCH64", linux.Seccomp.Archs!);
        Assert.Equal(4, linux.Seccomp.KnownFlags!.Count);
        Assert.Contains("SECCOMP_FILTER_FLAG_LOG", linux.Seccomp.SupportedFlags!);
        Assert.Subset(linux.Seccomp.KnownFlags.ToHashSet(), linux.Seccomp.SupportedFlags!.ToHashSet());
        Assert.Equal(LabelSupport.AppArmorEnabled, linux.Apparmor!.Enabled);
        Assert.Equal(LabelSupport.SelinuxEnabled, linux.Selinux!.Enabled);
    }

    [Fact]
    public void FeaturesSerialiseWithTheOciContext()
    {
        var features = new Features { Linux = new LinuxFeatures() };
        SecurityFeatures.Fill(features.Linux);
        var json = System.Text.Json.JsonSerializer.Serialize(features, Quai.Oci.OciJsonContext.Default.Features);
        Assert.Contains("\"supportedFlags\":[", json, StringComparison.Ordinal);
        Assert.Contains("\"SCMP_ARCH_X86\"", json, StringComparison.Ordinal);
    }
}
