using Quai.Oci.Runtime;
using Quai.Runtime.Container;

namespace Quai.Runtime.Tests.Cli;

public class DefaultDeviceRulesTests
{
    [Fact]
    public void Deny_all_gets_the_standard_devices_and_ptys_appended()
    {
        var spec = DefaultSpec.Create(rootless: false);
        spec.Linux!.Devices = [new LinuxDevice { Path = "/dev/fuse", Type = "c", Major = 10, Minor = 229 }];
        var rules = DefaultDeviceRules.WithDefaults(spec)!.Devices!;
        Assert.False(rules[0].Allow);
        Assert.Contains(rules, r => r.Allow && r.Major == 136 && r.Minor is null);
        Assert.Contains(rules, r => r.Allow && r.Major == 5 && r.Minor == 2);
        Assert.Contains(rules, r => r.Allow && r.Major == 10 && r.Minor == 229);
        Assert.Single(spec.Linux.Resources!.Devices!);
    }

    [Fact]
    public void No_rules_stay_no_rules()
    {
        var spec = DefaultSpec.Create(rootless: false);
        spec.Linux!.Resources = new LinuxResources { Pids = new LinuxPids { Limit = 5 } };
        Assert.Same(spec.Linux.Resources, DefaultDeviceRules.WithDefaults(spec));
    }
}
