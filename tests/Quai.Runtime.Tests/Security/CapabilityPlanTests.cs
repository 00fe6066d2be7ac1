using Quai.Runtime.Security;
using OciCapabilities = Quai.Oci.Runtime.Capabilities;

namespace Quai.Runtime.Tests.Security;

public class CapabilityPlanTests
{
    /// <summary>Docker's default capability set (moby oci/caps/defaults.go).</summary>
    public static readonly List<string> DockerDefault =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    [Fact]
    public void DockerDefaultSetIsTheKnownMask()
    {
        var plan = CapabilityPlan.From(new OciCapabilities { Bounding = DockerDefault, Effective = DockerDefault, Permitted = DockerDefault });
        Assert.Equal(0xa80425fbUL, plan.Bounding);
        Assert.Equal(0xa80425fbUL, plan.Effective);
        Assert.Equal(0xa80425fbUL, plan.Permitted);
        Assert.Equal(0UL, plan.Inheritable);
        Assert.Equal(0UL, plan.Ambient);
        Assert.Empty(plan.Skipped);
    }

    [Fact]
    public void AbsentCapabilitiesMeanNone()
    {
        var plan = CapabilityPlan.From(null);
        Assert.Equal((0UL, 0UL, 0UL, 0UL, 0UL), (plan.Bounding, plan.Effective, plan.Permitted, plan.Inheritable, plan.Ambient));
    }

    [Fact]
    public void UnknownNameIsAnErrorNamingItAndTheSet()
    {
        var e = Assert.Throws<ArgumentException>(() => CapabilityPlan.From(new OciCapabilities { Ambient = ["CAP_CHOWN", "CAP_TELEPORT"] }));
        Assert.Contains("CAP_TELEPORT", e.Message, StringComparison.Ordinal);
        Assert.Contains("ambient", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NamesNewerThanTheKernelAreSkippedWithAWarning()
    {
        var warnings = new List<string>();
        var plan = CapabilityPlan.From(new OciCapabilities { Bounding = ["CAP_CHOWN", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"], Permitted = ["CAP_BPF"] }, lastCap: 38, warnings.Add);
        Assert.Equal(1UL, plan.Bounding);
        Assert.Equal(0UL, plan.Permitted);
        Assert.Equal(["CAP_BPF", "CAP_CHECKPOINT_RESTORE"], plan.Skipped);
        Assert.Equal(2, warnings.Count);
        Assert.Contains("CAP_BPF", warnings[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_capset_failure_names_the_capabilities_the_runtime_lacks()
    {
        // runtime-tools process_capabilities asks for every capability; this runtime's own
        // bounding set lacked CAP_SYS_RESOURCE (24) and the error blamed the set rules instead.
        const ulong all = (1UL << 41) - 1;
        var hint = CapabilityPlan.CapsetHint(all, all & ~(1UL << 24));
        Assert.Contains("does not hold CAP_SYS_RESOURCE:", hint, StringComparison.Ordinal);
        Assert.Equal(
            "effective must be a subset of permitted, and inheritable of bounding",
            CapabilityPlan.CapsetHint(0xa80425fbUL, all));
    }
}
