using Quai.Distribution.Auth;

namespace Quai.Distribution.Tests;

public class AuthChallengeTests
{
    [Fact]
    public void ParsesDockerHubsBearerChallenge()
    {
        var c = AuthChallenge.Parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\"").Single();
        Assert.True(c.IsBearer);
        Assert.Equal("https://auth.docker.io/token", c["realm"]);
        Assert.Equal("registry.docker.io", c["service"]);
        Assert.Equal("repository:library/busybox:pull", c["scope"]);
    }

    [Fact]
    public void ParsesBasicAndSeveralChallengesInOneHeader()
    {
        var list = AuthChallenge.Parse("Basic realm=\"Registry Realm\", Bearer realm=\"https://a/t\",service=s,error=\"insufficient_scope\"");
        Assert.Equal(2, list.Count);
        Assert.True(list[0].IsBasic);
        Assert.Equal("Registry Realm", list[0]["realm"]);
        Assert.True(list[1].IsBearer);
        Assert.Equal("s", list[1]["service"]);
        Assert.Equal("insufficient_scope", list[1]["error"]);
    }

    [Fact]
    public void UnquotesEscapesAndIgnoresParameterCase()
    {
        var c = AuthChallenge.Parse("bearer Realm=\"a\\\"b\" , Scope=\"x y\"").Single();
        Assert.True(c.IsBearer);
        Assert.Equal("a\"b", c["realm"]);
        Assert.Equal("x y", c["scope"]);
        Assert.Null(c["service"]);
    }
}
