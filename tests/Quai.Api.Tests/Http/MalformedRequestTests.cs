using Quai.Api.Http;

namespace Quai.Api.Tests.Http;

public class MalformedRequestTests
{
    private static Task Ok(HttpContext context) => context.Response.WriteTextAsync("ok");

    [Theory]
    [InlineData("GARBAGE\r\n\r\n", 400)]
    [InlineData("GET /x HTTP/1.1 extra\r\n\r\n", 400)]
    [InlineData("GET /x HTTP/2.0\r\n\r\n", 505)]
    [InlineData("GET /x FTP/1.0\r\n\r\n", 400)]
    [InlineData("G(T /x HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GET x HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GET /bad%zz HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GET /x HTTP/1.1\r\nNo-Colon\r\n\r\n", 400)]
    [InlineData("GET /x HTTP/1.1\r\nSpace : before colon\r\n\r\n", 400)]
    [InlineData("GET /x HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400)]
    [InlineData("POST /x HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400)]
    [InlineData("POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400)]
    [InlineData("POST /x HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400)]
    [InlineData("POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501)]
    [InlineData("POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400)]
    public async Task AnsweredWithJsonErrorThenClosed(string request, int status)
    {
        await using var server = new TestServer(Ok);
        using var client = server.Connect();
        await client.SendAsync(request);
        var r = await client.ReadResponseAsync();
        Assert.Equal(status, r.Status);
        Assert.Equal("application/json", r.Header("Content-Type"));
        Assert.StartsWith("{\"message\":", r.BodyText);
        Assert.Equal("close", r.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task LongRequestLineIs414()
    {
        await using var server = new TestServer(Ok);
        using var client = server.Connect();
        await client.SendAsync("GET /" + new string('a', 9000) + " HTTP/1.1\r\n\r\n");
        Assert.Equal(414, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task TooManyHeadersIs431()
    {
        await using var server = new TestServer(Ok);
        using var client = server.Connect();
        var headers = string.Concat(Enumerable.Range(0, 101).Select(i => $"X-H{i}: v\r\n"));
        await client.SendAsync("GET / HTTP/1.1\r\n" + headers + "\r\n");
        Assert.Equal(431, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task HugeHeaderBlockIs431()
    {
        await using var server = new TestServer(Ok);
        using var client = server.Connect();
        var headers = string.Concat(Enumerable.Range(0, 20).Select(i => $"X-H{i}: {new string('v', 4000)}\r\n"));
        await client.SendAsync("GET / HTTP/1.1\r\n" + headers + "\r\n");
        Assert.Equal(431, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task HeadersJustUnderTheLimitsPass()
    {
        await using var server = new TestServer(context => context.Response.WriteTextAsync(context.Request.Headers.Count.ToString()));
        using var client = server.Connect();
        var headers = string.Concat(Enumerable.Range(0, 100).Select(i => $"X-H{i}: {new string('v', 500)}\r\n"));
        await client.SendAsync("GET /" + new string('a', 8000) + " HTTP/1.1\r\n" + headers + "\r\n");
        Assert.Equal("100", (await client.ReadResponseAsync()).BodyText);
    }

    [Fact]
    public async Task BadChunkFailsTheHandlersReadAndClosesTheConnection()
    {
        Exception? seen = null;
        await using var server = new TestServer(async context =>
        {
            try
            {
                await context.Request.Body.CopyToAsync(Stream.Null);
            }
            catch (IOException e)
            {
                seen = e;
                throw;
            }
        });
        using var client = server.Connect();
        await client.SendAsync("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n");
        var r = await client.ReadResponseAsync();
        Assert.Equal(400, r.Status);
        Assert.IsType<BadHttpRequestException>(seen);
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task MissingHostIsFineOnAUnixSocket()
    {
        await using var server = new TestServer(Ok);
        using var client = server.Connect();
        await client.SendAsync("GET /_ping HTTP/1.1\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task LeadingEmptyLinesAreIgnored()
    {
        await using var server = new TestServer(Ok);
        using var client = server.Connect();
        await client.SendAsync("\r\n\r\nGET /_ping HTTP/1.1\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task HandlerExceptionIs500WithItsMessage()
    {
        await using var server = new TestServer(_ => throw new InvalidOperationException("disk on fire"));
        using var client = server.Connect();
        await client.SendAsync("GET /x HTTP/1.1\r\n\r\n");
        var r = await client.ReadResponseAsync();
        Assert.Equal(500, r.Status);
        Assert.Equal("{\"message\":\"disk on fire\"}\n", r.BodyText);
    }

    [Fact]
    public async Task SlowRequestHeadIsCutOffAfterTheHeadersTimeout()
    {
        var options = new HttpServerOptions { RequestHeadersTimeout = TimeSpan.FromMilliseconds(200) };
        await using var server = new TestServer(Ok, options);
        using var client = server.Connect();
        await client.SendAsync("GET /x HTTP/1.1\r\nHost: x\r\n");
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task IdleConnectionIsClosedAfterTheKeepAliveTimeout()
    {
        var options = new HttpServerOptions { KeepAliveTimeout = TimeSpan.FromMilliseconds(200) };
        await using var server = new TestServer(Ok, options);
        using var client = server.Connect();
        await client.SendAsync("GET /x HTTP/1.1\r\n\r\n");
        await client.ReadResponseAsync();
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }
}
