using Quai.Cli.Commands;

namespace Quai.Cli.Tests.Parsing;

public class DetachKeysTests
{
    [Fact]
    public void DefaultSequenceIsCtrlPCtrlQ()
    {
        var k = DetachKeys.Parse(null);
        var (fwd, detach) = k.Feed("ab\u0010"u8);
        Assert.Equal("ab"u8.ToArray(), fwd);
        Assert.False(detach);
        (fwd, detach) = k.Feed("\u0011"u8);
        Assert.Empty(fwd);
        Assert.True(detach);
    }

    [Fact]
    public void AHeldPrefixIsForwardedOnMismatch()
    {
        var k = DetachKeys.Parse("ctrl-p,ctrl-q");
        var (fwd, detach) = k.Feed("\u0010x"u8);
        Assert.Equal("\u0010x"u8.ToArray(), fwd);
        Assert.False(detach);
    }

    [Fact]
    public void CustomKeys()
    {
        var k = DetachKeys.Parse("ctrl-a,d");
        Assert.True(k.Feed("\u0001d"u8).Detach);
        Assert.Throws<CliException>(() => DetachKeys.Parse("ctrl-1x"));
    }
}
