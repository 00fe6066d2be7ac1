using System.Security.Cryptography;
using System.Text;
using Quai.Api.Http;

namespace Quai.Api.Tests.Http;

public class RequestBodyTests
{
    private static async Task Echo(HttpContext context)
    {
        var ms = new MemoryStream();
        await context.Request.Body.CopyToAsync(ms);
        await context.Response.WriteTextAsync($"{context.Request.Method} {ms.Length} {Encoding.UTF8.GetString(ms.ToArray())}");
    }

    [Fact]
    public async Task ContentLengthBody()
    {
        await using var server = new TestServer(Echo);
        using var client = server.Connect();
        await client.SendAsync("POST /containers/create HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"Image\":\"x\"}");
        Assert.Equal("POST 13 {\"Image\":\"x\"}", (await client.ReadResponseAsync()).BodyText);
    }

    [Fact]
    public async Task ChunkedBodyWithExtensionsAndTrailers()
    {
        await using var server = new TestServer(Echo);
        using var client = server.Connect();
        await client.SendAsync("POST /build HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
        Assert.Equal("POST 11 hello world", (await client.ReadResponseAsync()).BodyText);
        // The connection goes on after a chunked body.
        await client.SendAsync("POST /again HTTP/1.1\r\nContent-Length: 2\r\n\r\nok");
        Assert.Equal("POST 2 ok", (await client.ReadResponseAsync()).BodyText);
    }

    [Fact]
    public async Task UnreadBodyIsSkippedAndTheConnectionKept()
    {
        await using var server = new TestServer(context => context.Response.WriteTextAsync("ignored " + context.Request.ContentLength));
        using var client = server.Connect();
        await client.SendAsync("POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\n12345POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        Assert.Equal("ignored 5", (await client.ReadResponseAsync()).BodyText);
        Assert.Equal("ignored ", (await client.ReadResponseAsync()).BodyText);
        await client.SendAsync("GET /c HTTP/1.1\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task ExpectContinueIsSentWhenTheHandlerReads()
    {
        await using var server = new TestServer(Echo);
        using var client = server.Connect();
        await client.SendAsync("POST /images/load HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
        var interim = await client.ReadHeadAsync();
        Assert.Equal("HTTP/1.1 100 Continue", interim.StatusLine);
        await client.SendAsync("data");
        Assert.Equal("POST 4 data", (await client.ReadResponseAsync()).BodyText);
    }

    [Fact]
    public async Task ExpectContinueRefusedClosesWithoutReadingTheBody()
    {
        await using var server = new TestServer(context => throw new ApiException(ErrorKind.Unauthorized, "no"));
        using var client = server.Connect();
        await client.SendAsync("POST /x HTTP/1.1\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n");
        var r = await client.ReadResponseAsync();
        Assert.Equal(401, r.Status);
        Assert.Equal("close", r.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }
}

[CollectionDefinition(nameof(MemoryCollection), DisableParallelization = true)]
public sealed class MemoryCollection;

[Collection(nameof(MemoryCollection))]
public class LargeBodyTests
{
    [Fact]
    public async Task FiftyMegabyteChunkedUploadIsStreamedNotBuffered()
    {
        const int Total = 50 * 1024 * 1024;
        var firstBytesSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long serverCount = 0;
        byte[]? serverHash = null;
        await using var server = new TestServer(async context =>
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = await context.Request.Body.ReadAsync(buffer)) > 0)
            {
                sha.AppendData(buffer, 0, n);
                serverCount += n;
                firstBytesSeen.TrySetResult();
            }
            serverHash = sha.GetHashAndReset();
            await context.Response.WriteTextAsync(serverCount.ToString());
        });
        using var client = server.Connect();
        var chunk = new byte[64 * 1024];
        Random.Shared.NextBytes(chunk);
        using var clientSha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        await client.SendAsync("POST /build HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
        var prefix = Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n");
        var crlf = "\r\n"u8.ToArray();
        for (var sent = 0; sent < Total; sent += chunk.Length)
        {
            await client.Stream.WriteAsync(prefix);
            await client.Stream.WriteAsync(chunk);
            await client.Stream.WriteAsync(crlf);
            clientSha.AppendData(chunk);
            if (sent == 4 * 1024 * 1024)
            {
                // The handler reads while the client is still sending: nothing waits for the whole body.
                await firstBytesSeen.Task.WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        await client.SendAsync("0\r\n\r\n");
        var r = await client.ReadResponseAsync();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(Total.ToString(), r.BodyText);
        Assert.Equal(clientSha.GetHashAndReset(), serverHash);
        Assert.True(allocated < 8 * 1024 * 1024, $"the server allocated {allocated} bytes for a 50 MiB body: it must stream, not buffer");
    }
}
