using Quai.Linux.Seccomp;
using Quai.Runtime.Security;

namespace Quai.Runtime.Tests.Security;

public class SeccompMappingTests
{
    public static TheoryData<string, uint> Actions => new()
    {
        { "SCMP_ACT_KILL", 0x00000000 },
        { "SCMP_ACT_KILL_THREAD", 0x00000000 },
        { "SCMP_ACT_KILL_PROCESS", 0x80000000 },
        { "SCMP_ACT_TRAP", 0x00030000 },
        { "SCMP_ACT_ERRNO", 0x00050001 },
        { "SCMP_ACT_TRACE", 0x7ff00001 },
        { "SCMP_ACT_ALLOW", 0x7fff0000 },
        { "SCMP_ACT_LOG", 0x7ffc0000 },
        { "SCMP_ACT_NOTIFY", 0x7fc00000 },
    };

    [Theory]
    [MemberData(nameof(Actions))]
    public void ActionsMapToLibseccompValues(string name, uint value) =>
        Assert.Equal(value, SeccompMapping.ParseAction(name, null, "test"));

    [Fact]
    public void EveryActionNameIsMapped() =>
        Assert.All(SeccompMapping.ActionNames, n => SeccompMapping.ParseAction(n, null, "test"));

    [Fact]
    public void ErrnoUsesErrnoRet()
    {
        Assert.Equal(SeccompActions.Errno(38), SeccompMapping.ParseAction("SCMP_ACT_ERRNO", 38, "test"));
        Assert.Equal(SeccompActions.Trace(7), SeccompMapping.ParseAction("SCMP_ACT_TRACE", 7, "test"));
    }

    [Theory]
    [InlineData("SCMP_ACT_ALLOW")]
    [InlineData("SCMP_ACT_KILL")]
    [InlineData("SCMP_ACT_LOG")]
    public void ErrnoRetOnAnotherActionIsAnError(string action)
    {
        var e = Assert.Throws<ArgumentException>(() => SeccompMapping.ParseAction(action, 1, "linux.seccomp.syscalls[3]"));
        Assert.Contains("linux.seccomp.syscalls[3]", e.Message, StringComparison.Ordinal);
        Assert.Contains(action, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownActionIsAnErrorNamingIt()
    {
        var e = Assert.Throws<ArgumentException>(() => SeccompMapping.ParseAction("SCMP_ACT_EXPLODE", null, "linux.seccomp.defaultAction"));
        Assert.Contains("SCMP_ACT_EXPLODE", e.Message, StringComparison.Ordinal);
        Assert.Contains("linux.seccomp.defaultAction", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrnoRetMustFitSixteenBits() =>
        Assert.Throws<ArgumentException>(() => SeccompMapping.ParseAction("SCMP_ACT_ERRNO", 70000, "test"));

    [Theory]
    [InlineData("SCMP_CMP_NE", SeccompCompare.NotEqual)]
    [InlineData("SCMP_CMP_LT", SeccompCompare.LessThan)]
    [InlineData("SCMP_CMP_LE", SeccompCompare.LessOrEqual)]
    [InlineData("SCMP_CMP_EQ", SeccompCompare.Equal)]
    [InlineData("SCMP_CMP_GE", SeccompCompare.GreaterOrEqual)]
    [InlineData("SCMP_CMP_GT", SeccompCompare.GreaterThan)]
    [InlineData("SCMP_CMP_MASKED_EQ", SeccompCompare.MaskedEqual)]
    public void OperatorsMapToLibseccompValues(string name, SeccompCompare op) =>
        Assert.Equal(op, SeccompMapping.ParseOperator(name, "test"));

    [Fact]
    public void OperatorEnumValuesAreSeccompHs()
    {
        Assert.Equal(1, (int)SeccompCompare.NotEqual);
        Assert.Equal(4, (int)SeccompCompare.Equal);
        Assert.Equal(7, (int)SeccompCompare.MaskedEqual);
        Assert.Equal(SeccompMapping.OperatorNames.Count, Enum.GetValues<SeccompCompare>().Length);
    }

    [Fact]
    public void UnknownOperatorIsAnError() =>
        Assert.Contains("SCMP_CMP_ABOUT", Assert.Throws<ArgumentException>(() => SeccompMapping.ParseOperator("SCMP_CMP_ABOUT", "x")).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("SECCOMP_FILTER_FLAG_TSYNC", SeccompFilterAttribute.CtlTsync)]
    [InlineData("SECCOMP_FILTER_FLAG_LOG", SeccompFilterAttribute.CtlLog)]
    [InlineData("SECCOMP_FILTER_FLAG_SPEC_ALLOW", SeccompFilterAttribute.CtlSsb)]
    [InlineData("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SeccompFilterAttribute.CtlWaitKill)]
    public void FlagsMapToFilterAttributes(string flag, SeccompFilterAttribute attribute) =>
        Assert.Equal(attribute, SeccompMapping.ParseFlag(flag).Attribute);

    [Fact]
    public void UnknownFlagIsAnError() =>
        Assert.Contains("SECCOMP_FILTER_FLAG_NEW_LISTENER", Assert.Throws<ArgumentException>(() => SeccompMapping.ParseFlag("SECCOMP_FILTER_FLAG_NEW_LISTENER")).Message, StringComparison.Ordinal);

    [Fact]
    public void ConditionsOnDistinctArgumentsStayInOneRule()
    {
        var groups = SeccompMapping.GroupConditions([Cmp(0, 1), Cmp(1, 2), Cmp(2, 3)]);
        Assert.Single(groups);
        Assert.Equal(3, groups[0].Length);
    }

    [Fact]
    public void RepeatedArgumentIndexSplitsIntoOneRulePerCondition()
    {
        var groups = SeccompMapping.GroupConditions([Cmp(0, 1), Cmp(0, 2), Cmp(1, 3)]);
        Assert.Equal(3, groups.Count);
        Assert.All(groups, g => Assert.Single(g));
        Assert.Equal([1UL, 2UL, 3UL], groups.Select(g => g[0].DatumA));
    }

    [Fact]
    public void NoConditionsIsOneUnconditionalRule() =>
        Assert.Empty(Assert.Single(SeccompMapping.GroupConditions([])));

    private static ScmpArgCmp Cmp(uint arg, ulong value) => new() { Arg = arg, Op = SeccompCompare.Equal, DatumA = value };
}
