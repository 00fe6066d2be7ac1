using System.Text;
using Quai.Api.Http;

namespace Quai.Api.Tests.Http;

public class KeepAliveTests
{
    private static Task Hello(HttpContext context) =>
        context.Response.WriteTextAsync("hello " + context.Request.Path);

    [Fact]
    public async Task GetAndHeadShareOneConnection()
    {
        await using var server = new TestServer(Hello);
        using var client = server.Connect();
        for (var i = 0; i < 3; i++)
        {
            await client.SendAsync($"GET /a{i} HTTP/1.1\r\nHost: x\r\n\r\n");
            var get = await client.ReadResponseAsync();
            Assert.Equal(200, get.Status);
            Assert.Equal($"hello /a{i}", get.BodyText);
            Assert.StartsWith("Quai/", get.Header("Server"));
            Assert.EndsWith("(linux)", get.Header("Server"));
            Assert.EndsWith(" GMT", get.Header("Date"));
            Assert.Null(get.Header("Connection"));

            await client.SendAsync($"HEAD /a{i} HTTP/1.1\r\nHost: x\r\n\r\n");
            var head = await client.ReadResponseAsync(head: true);
            Assert.Equal(200, head.Status);
            // HEAD announces the length GET would send, and sends no body.
            Assert.Equal(Encoding.UTF8.GetByteCount($"hello /a{i}").ToString(), head.Header("Content-Length"));
        }
        Assert.False(await client.IsClosedByServerAsync(TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task PipelinedRequestsAreAnsweredInOrder()
    {
        await using var server = new TestServer(Hello);
        using var client = server.Connect();
        await client.SendAsync("GET /one HTTP/1.1\r\n\r\nPOST /two HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /three HTTP/1.1\r\n\r\n");
        Assert.Equal("hello /one", (await client.ReadResponseAsync()).BodyText);
        Assert.Equal("hello /two", (await client.ReadResponseAsync()).BodyText);
        Assert.Equal("hello /three", (await client.ReadResponseAsync()).BodyText);
    }

    [Fact]
    public async Task ConnectionCloseIsHonoured()
    {
        await using var server = new TestServer(Hello);
        using var client = server.Connect();
        await client.SendAsync("GET /x HTTP/1.1\r\nConnection: close\r\n\r\n");
        var r = await client.ReadResponseAsync();
        Assert.Equal("close", r.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Http10WithoutKeepAliveClosesAndNeverChunks()
    {
        await using var server = new TestServer(async context =>
        {
            // No Content-Length: an HTTP/1.0 client gets a body delimited by the close.
            await context.Response.Body.WriteAsync("streamed"u8.ToArray());
            await context.Response.Body.FlushAsync();
        });
        using var client = server.Connect();
        await client.SendAsync("GET /x HTTP/1.0\r\n\r\n");
        var r = await client.ReadResponseAsync();
        Assert.Null(r.Header("Transfer-Encoding"));
        Assert.Equal("streamed", r.BodyText);
    }

    [Fact]
    public async Task Http10KeepAliveKeepsTheConnection()
    {
        await using var server = new TestServer(Hello);
        using var client = server.Connect();
        await client.SendAsync("GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        var r = await client.ReadResponseAsync();
        Assert.Equal("keep-alive", r.Header("Connection"));
        await client.SendAsync("GET /y HTTP/1.0\r\n\r\n");
        Assert.Equal("hello /y", (await client.ReadResponseAsync()).BodyText);
    }

    [Fact]
    public async Task BareLfHeaderLinesAreAccepted()
    {
        // Docker.DotNet 3.125 ends header lines with a bare LF (captures/dockerdotnet-3.125-attach.log).
        await using var server = new TestServer(context =>
            context.Response.WriteTextAsync(context.Request.Headers["User-Agent"] + "|" + context.Request.Headers["host"]));
        using var client = server.Connect();
        await client.SendAsync("GET /version HTTP/1.1\r\nUser-Agent: Docker.DotNet\nHost: p-dotnet.sock:80\nConnection: close\n\r\n");
        var r = await client.ReadResponseAsync();
        Assert.Equal("Docker.DotNet|p-dotnet.sock:80", r.BodyText);
    }

    [Fact]
    public async Task QueryAndDecodedPathReachTheHandler()
    {
        await using var server = new TestServer(context =>
        {
            var q = context.Request.Query;
            return context.Response.WriteTextAsync($"{context.Request.Path}|{q["stream"]}|{string.Join(",", q.GetValues("f"))}|{q["t"]}|{q.GetBool("stdin")}|{q.GetBool("missing")}");
        });
        using var client = server.Connect();
        await client.SendAsync("POST /v1.41/build/my%20dir?stream=1&f=a&f=b&t=myimg%3A1+x&stdin=1 HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal("/v1.41/build/my dir|1|a,b|myimg:1 x|True|False", (await client.ReadResponseAsync()).BodyText);
    }

    [Fact]
    public async Task ErrorFromHandlerKeepsTheConnection()
    {
        await using var server = new TestServer(context =>
            context.Request.Path == "/missing"
                ? throw new ApiException(ErrorKind.NotFound, "No such container: missing")
                : context.Response.WriteTextAsync("ok"));
        using var client = server.Connect();
        await client.SendAsync("GET /missing HTTP/1.1\r\n\r\n");
        var r = await client.ReadResponseAsync();
        Assert.Equal(404, r.Status);
        Assert.Equal("application/json", r.Header("Content-Type"));
        Assert.Equal("{\"message\":\"No such container: missing\"}\n", r.BodyText);
        await client.SendAsync("GET /ok HTTP/1.1\r\n\r\n");
        Assert.Equal("ok", (await client.ReadResponseAsync()).BodyText);
    }

    [Fact]
    public async Task EmptyResponseGetsContentLengthZeroAnd204None()
    {
        await using var server = new TestServer(context =>
        {
            if (context.Request.Path == "/start")
            {
                context.Response.StatusCode = 204;
            }
            return Task.CompletedTask;
        });
        using var client = server.Connect();
        await client.SendAsync("POST /start HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        var r = await client.ReadResponseAsync();
        Assert.Equal(204, r.Status);
        Assert.Null(r.Header("Content-Length"));
        Assert.Null(r.Header("Transfer-Encoding"));
        await client.SendAsync("GET /other HTTP/1.1\r\n\r\n");
        var r2 = await client.ReadResponseAsync();
        Assert.Equal("0", r2.Header("Content-Length"));
    }
}
