using Quai.Oci.Runtime;
using Quai.Runtime.Security;

namespace Quai.Runtime.Tests.Security;

/// <summary>ProcessSecurity.Prepare validates everything before the init changes anything.</summary>
public class ProcessSecurityTests
{
    [Fact]
    public void PrepareRefusesAnUnknownRlimit()
    {
        var process = new Process { Rlimits = [new Rlimit { Type = "RLIMIT_WIDGETS", Soft = 1, Hard = 1 }] };
        Assert.Contains("RLIMIT_WIDGETS", Assert.Throws<ArgumentException>(() => ProcessSecurity.Prepare(process, null)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PrepareRefusesABadIoPriority()
    {
        var process = new Process { IoPriority = new IoPriority { Class = "IOPRIO_CLASS_BE", Priority = 9 } };
        Assert.Throws<ArgumentException>(() => ProcessSecurity.Prepare(process, null));
    }

    [Fact]
    public void PrepareCompilesTheFilterAndParsesCapabilities()
    {
        var process = new Process { Capabilities = new Capabilities { Bounding = ["CAP_KILL"] } };
        using var security = ProcessSecurity.Prepare(process, DockerLikeProfile.Create());
        Assert.Equal(1UL << 5, security.Capabilities.Bounding);
        Assert.NotNull(security.Seccomp);
        Assert.True(security.Seccomp.RuleCount > 300);
    }

    [Fact]
    public void PrepareWithoutSeccompHasNoFilter()
    {
        using var security = ProcessSecurity.Prepare(new Process(), null);
        Assert.Null(security.Seccomp);
    }
}
