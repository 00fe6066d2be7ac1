using Quai.Api.Http;

namespace Quai.Api.Tests.Http;

public class ValueTypeTests
{
    [Fact]
    public void QueryParsesLikeGo()
    {
        var q = QueryCollection.Parse("a=1&a=2&B=x+y&c=%2F&empty=&flag&bad=%zz&semi=1;2&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D");
        Assert.Equal(["1", "2"], q.GetValues("a"));
        Assert.Null(q["A"]); // keys are case-sensitive
        Assert.Equal("x y", q["B"]);
        Assert.Equal("/", q["c"]);
        Assert.Equal("", q["empty"]);
        Assert.True(q.ContainsKey("flag"));
        Assert.False(q.ContainsKey("bad"));
        Assert.False(q.ContainsKey("semi"));
        Assert.Equal("{\"label\":[\"a=b\"]}", q["filters"]);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("yes", true)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    [InlineData("no", false)]
    [InlineData("none", false)]
    [InlineData("", false)]
    public void BoolValueLikeDockerd(string value, bool expected) =>
        Assert.Equal(expected, QueryCollection.Parse("x=" + value).GetBool("x"));

    [Fact]
    public void HeadersAreCaseInsensitiveAndMultiValued()
    {
        var h = new HttpHeaders { { "Connection", "keep-alive, Upgrade" } };
        h.Add("X-A", "1");
        h.Add("x-a", "2");
        Assert.Equal(["1", "2"], h.GetValues("X-a"));
        Assert.True(h.HasToken("connection", "upgrade"));
        h["X-A"] = "3";
        Assert.Equal(["3"], h.GetValues("x-A"));
    }

    [Fact]
    public void ApiVersionsCompareNumerically()
    {
        Assert.True(ApiVersion.Parse("1.9") < ApiVersion.Parse("1.10"));
        Assert.Equal(new ApiVersion(1, 41), ApiVersion.Parse("1.41"));
        Assert.Equal("1.41", new ApiVersion(1, 41).ToString());
        Assert.False(ApiVersion.TryParse("1..2", out _));
        Assert.False(ApiVersion.TryParse("a.b", out _));
    }

    [Theory]
    [InlineData(ErrorKind.NotFound, 404)]
    [InlineData(ErrorKind.Conflict, 409)]
    [InlineData(ErrorKind.InvalidArgument, 400)]
    [InlineData(ErrorKind.Unauthorized, 401)]
    [InlineData(ErrorKind.Forbidden, 403)]
    [InlineData(ErrorKind.Unavailable, 503)]
    [InlineData(ErrorKind.NotModified, 304)]
    [InlineData(ErrorKind.Internal, 500)]
    public void ErrorKindsMapToOneStatus(ErrorKind kind, int status)
    {
        Assert.Equal(status, ErrorStatus.ToStatusCode(kind));
        Assert.Equal(kind, ErrorStatus.FromStatusCode(status));
        Assert.Equal(status, new ApiException(kind, "m").StatusCode);
    }
}
