using Quai.Linux;
using Quai.Oci.Runtime;
using Quai.Runtime.Security;

namespace Quai.Runtime.Tests.Security;

public class RlimitsTests
{
    [Theory]
    [InlineData("RLIMIT_CPU", 0)]
    [InlineData("RLIMIT_FSIZE", 1)]
    [InlineData("RLIMIT_DATA", 2)]
    [InlineData("RLIMIT_STACK", 3)]
    [InlineData("RLIMIT_CORE", 4)]
    [InlineData("RLIMIT_RSS", 5)]
    [InlineData("RLIMIT_NPROC", 6)]
    [InlineData("RLIMIT_NOFILE", 7)]
    [InlineData("RLIMIT_MEMLOCK", 8)]
    [InlineData("RLIMIT_AS", 9)]
    [InlineData("RLIMIT_LOCKS", 10)]
    [InlineData("RLIMIT_SIGPENDING", 11)]
    [InlineData("RLIMIT_MSGQUEUE", 12)]
    [InlineData("RLIMIT_NICE", 13)]
    [InlineData("RLIMIT_RTPRIO", 14)]
    [InlineData("RLIMIT_RTTIME", 15)]
    public void NamesMapToResourceNumbers(string name, int number) => Assert.Equal(number, Rlimits.ResourceNumber(name));

    [Fact]
    public void AllSixteenLimitsAreKnown() => Assert.Equal(16, Rlimits.Names.Count());

    [Fact]
    public void UnknownNameIsAnErrorNamingIt() =>
        Assert.Contains("RLIMIT_FUN", Assert.Throws<ArgumentException>(() => Rlimits.ResourceNumber("RLIMIT_FUN")).Message, StringComparison.Ordinal);

    [Fact]
    public void SoftAboveHardIsRefusedBeforeAnythingIsApplied()
    {
        var e = Assert.Throws<ArgumentException>(() => Rlimits.Validate([new Rlimit { Type = "RLIMIT_NOFILE", Soft = 10, Hard = 5 }]));
        Assert.Contains("RLIMIT_NOFILE", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateLimitIsRefused() =>
        Assert.Throws<ArgumentException>(() => Rlimits.Validate([new Rlimit { Type = "RLIMIT_CORE" }, new Rlimit { Type = "RLIMIT_CORE" }]));

    [Fact]
    public void SuccessIsNotAnError() => Assert.Null(Rlimits.Decide("RLIMIT_NOFILE", 0, 1, 2, 3, 4));

    [Fact]
    public void EpermForTheCurrentValuesIsNotAnError() =>
        Assert.Null(Rlimits.Decide("RLIMIT_NOFILE", Errnos.EPERM, 1024, 4096, 1024, 4096));

    [Fact]
    public void EpermRaisingTheHardLimitNamesEverything()
    {
        var error = Rlimits.Decide("RLIMIT_NOFILE", Errnos.EPERM, 1024, 1048576, 1024, 4096);
        Assert.NotNull(error);
        Assert.Contains("RLIMIT_NOFILE", error, StringComparison.Ordinal);
        Assert.Contains("1048576", error, StringComparison.Ordinal);
        Assert.Contains("4096", error, StringComparison.Ordinal);
        Assert.Contains("CAP_SYS_RESOURCE", error, StringComparison.Ordinal);
    }

    [Fact]
    public void OtherErrorsAreErrors()
    {
        var error = Rlimits.Decide("RLIMIT_STACK", Errnos.EINVAL, 1024, 1024, 1024, 1024);
        Assert.NotNull(error);
        Assert.DoesNotContain("CAP_SYS_RESOURCE", error, StringComparison.Ordinal);
    }

    [Fact]
    public void InfinityIsShownAsUnlimited() =>
        Assert.Contains("unlimited", Rlimits.Decide("RLIMIT_CORE", Errnos.EPERM, ulong.MaxValue, ulong.MaxValue, 0, 0), StringComparison.Ordinal);
}
