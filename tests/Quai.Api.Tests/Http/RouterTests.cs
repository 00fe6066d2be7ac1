using Quai.Api.Http;

namespace Quai.Api.Tests.Http;

public class RouterTests
{
    private static Router Routes()
    {
        var router = new Router();
        Task Echo(HttpContext c, string route) => c.Response.WriteTextAsync(
            $"{route} v={c.Request.ApiVersion?.ToString() ?? "none"} " + string.Join(",", c.Request.RouteValues.OrderBy(kv => kv.Key).Select(kv => kv.Key + "=" + kv.Value)));
        router.MapGet("/_ping", c => Echo(c, "ping"));
        router.MapHead("/_ping", c => Echo(c, "ping-head"));
        router.MapGet("/containers/json", c => Echo(c, "list"));
        router.MapGet("/containers/{name:.*}/json", c => Echo(c, "inspect"));
        router.MapPost("/containers/{id}/attach", c => Echo(c, "attach"));
        router.MapGet("/images/{name:.*}/json", c => Echo(c, "image"));
        router.MapDelete("/images/{name:.*}", c => Echo(c, "rmi"));
        router.MapPost("/images/{name:.*}/tag", c => Echo(c, "tag"));
        return router;
    }

    [Theory]
    [InlineData("GET", "/_ping", 200, "ping v=none ")]
    [InlineData("GET", "/v1.41/_ping", 200, "ping v=1.41 ")]
    [InlineData("GET", "/v1.50/containers/json", 200, "list v=1.50 ")]
    [InlineData("GET", "/v1.24/containers/json", 200, "list v=1.24 ")]
    [InlineData("GET", "/containers/abc/json", 200, "inspect v=none name=abc")]
    [InlineData("GET", "/containers/my%2Fname/json", 200, "inspect v=none name=my/name")]
    [InlineData("POST", "/v1.41/containers/c1/attach", 200, "attach v=1.41 id=c1")]
    [InlineData("GET", "/images/127.0.0.1:5055/library/busybox:1/json", 200, "image v=none name=127.0.0.1:5055/library/busybox:1")]
    [InlineData("GET", "/v1.41/images/busybox%3Alocal/json", 200, "image v=1.41 name=busybox:local")]
    [InlineData("DELETE", "/images/reg.example/a/b:c", 200, "rmi v=none name=reg.example/a/b:c")]
    [InlineData("POST", "/images/a/b/tag", 200, "tag v=none name=a/b")]
    public async Task Matches(string method, string path, int status, string body)
    {
        var r = await SendAsync(method, path);
        Assert.Equal(status, r.Status);
        Assert.Equal(body, r.BodyText);
    }

    [Theory]
    [InlineData("GET", "/nope")]
    [InlineData("GET", "/v1.41/nope")]
    [InlineData("GET", "/v1.41")]
    [InlineData("GET", "/containers/json/")]
    [InlineData("POST", "/containers/a/b/attach")]
    public async Task UnknownPathIs404(string method, string path)
    {
        var r = await SendAsync(method, path);
        Assert.Equal(404, r.Status);
        Assert.Equal("{\"message\":\"page not found\"}\n", r.BodyText);
    }

    [Fact]
    public async Task WrongMethodIs405WithAllow()
    {
        var r = await SendAsync("POST", "/containers/json");
        Assert.Equal(405, r.Status);
        Assert.Equal("GET", r.Header("Allow"));
    }

    [Fact]
    public async Task TooNewVersionIs400LikeDockerd()
    {
        var r = await SendAsync("GET", "/v1.99/_ping");
        Assert.Equal(400, r.Status);
        Assert.Equal("{\"message\":\"client version 1.99 is too new. Maximum supported API version is 1.50\"}\n", r.BodyText);
    }

    [Fact]
    public async Task TooOldVersionIs400LikeDockerd()
    {
        var r = await SendAsync("GET", "/v1.12/_ping");
        Assert.Equal(400, r.Status);
        Assert.Equal("{\"message\":\"client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version\"}\n", r.BodyText);
    }

    [Fact]
    public async Task HeadUsesItsOwnRouteOrFallsBackToGet()
    {
        var r = await SendAsync("HEAD", "/_ping");
        Assert.Equal("ping-head v=none ".Length.ToString(), r.Header("Content-Length"));
        var list = await SendAsync("HEAD", "/containers/json");
        Assert.Equal(200, list.Status);
        Assert.Equal("list v=none ".Length.ToString(), list.Header("Content-Length"));
    }

    [Fact]
    public void TemplatesRejectWhatTheyCannotMatch()
    {
        Assert.Throws<ArgumentException>(() => new RouteTemplate("containers/json"));
        Assert.Throws<ArgumentException>(() => new RouteTemplate("/a/{x:[0-9]+}"));
        Assert.Throws<ArgumentException>(() => new RouteTemplate("/a/{x:.*}/{y:.*}"));
        Assert.Throws<ArgumentException>(() => new RouteTemplate("/a/pre{x}"));
    }

    private static async Task<RawResponse> SendAsync(string method, string path)
    {
        var router = Routes();
        await using var server = new TestServer(router.HandleAsync);
        using var client = server.Connect();
        await client.SendAsync($"{method} {path} HTTP/1.1\r\nHost: docker\r\n\r\n");
        return await client.ReadResponseAsync(head: method == "HEAD");
    }
}
