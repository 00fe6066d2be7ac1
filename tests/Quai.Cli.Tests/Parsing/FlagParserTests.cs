using Quai.Cli.Commands;
using Quai.Cli.Parsing;

namespace Quai.Cli.Tests.Parsing;

public class FlagParserTests
{
    private static readonly Flag[] Run = ContainerFlags.Run;

    [Fact]
    public void ClusteredShorthandsAndAttachedValues()
    {
        var p = FlagParser.Parse(["-it", "-p80:80", "-p", "443:443", "-e=A=B", "--env=C=D", "-eE=F", "busybox", "sh"], Run, interspersed: false);
        Assert.True(p.Bool("interactive"));
        Assert.True(p.Bool("tty"));
        Assert.Equal(["80:80", "443:443"], p.List("publish"));
        Assert.Equal(["A=B", "C=D", "E=F"], p.List("env"));
        Assert.Equal(["busybox", "sh"], p.Args);
    }

    [Fact]
    public void StopsAtTheFirstPositionalForRun()
    {
        var p = FlagParser.Parse(["--rm", "busybox", "ls", "-la", "--rm"], Run, interspersed: false);
        Assert.True(p.Bool("rm"));
        Assert.Equal(["busybox", "ls", "-la", "--rm"], p.Args);
    }

    [Fact]
    public void InterspersedFlagsAfterPositionals()
    {
        var p = FlagParser.Parse(["c1", "-t", "5", "c2"], [Flag.Str("timeout", 't', "")]);
        Assert.Equal("5", p.Str("timeout"));
        Assert.Equal(["c1", "c2"], p.Args);
    }

    [Fact]
    public void DoubleDashEndsFlags()
    {
        var p = FlagParser.Parse(["-a", "--", "-q"], [Flag.Bool("all", 'a', ""), Flag.Bool("quiet", 'q', "")]);
        Assert.True(p.Bool("all"));
        Assert.False(p.Bool("quiet"));
        Assert.Equal(["-q"], p.Args);
    }

    [Fact]
    public void BoolFlagsTakeExplicitValues()
    {
        var p = FlagParser.Parse(["--sig-proxy=false", "-d=true"], Run);
        Assert.True(p.Has("sig-proxy"));
        Assert.False(p.Bool("sig-proxy"));
        Assert.True(p.Bool("detach"));
    }

    [Fact]
    public void UnknownAndIncompleteFlagsAreUsageErrors()
    {
        Assert.Equal("unknown flag: --bogus", Assert.Throws<UsageException>(() => FlagParser.Parse(["--bogus"], Run)).Message);
        Assert.Contains("unknown shorthand flag: 'Z'", Assert.Throws<UsageException>(() => FlagParser.Parse(["-iZ"], Run)).Message);
        Assert.Equal("flag needs an argument: --name", Assert.Throws<UsageException>(() => FlagParser.Parse(["--name"], Run)).Message);
    }

    [Fact]
    public void LoneDashIsAPositional()
    {
        var p = FlagParser.Parse(["-", "c1:/tmp"], [Flag.Bool("archive", 'a', "")]);
        Assert.Equal(["-", "c1:/tmp"], p.Args);
    }
}
