using System.Net.Sockets;
using System.Text;
using Quai.Api.Http;

namespace Quai.Api.Tests.Http;

public class HijackTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    // An attach handler like dockerd's for `sh -c cat`: read stdin to EOF, then write it back, then close.
    private static async Task CatUntilEof(HttpContext context)
    {
        await using var stream = await context.HijackAsync();
        var input = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            input.Write(buffer, 0, n);
        }
        // stdin reached EOF (the client half-closed); the output still has to get through.
        await stream.WriteAsync(Encoding.ASCII.GetBytes("got:"));
        await stream.WriteAsync(input.ToArray());
        await stream.FlushAsync();
    }

    [Fact]
    public async Task UpgradeGets101AndHalfCloseStillDeliversTheOutput()
    {
        await using var server = new TestServer(CatUntilEof);
        using var client = server.Connect();
        // The docker CLI's attach (captures/run-rm-i-notty.log).
        await client.SendAsync("POST /v1.41/containers/c1/attach?stderr=1&stdin=1&stdout=1&stream=1 HTTP/1.1\r\nHost: api.moby.localhost\r\nUser-Agent: Docker-Client/28.2.2 (linux)\r\nContent-Length: 0\r\nConnection: Upgrade\r\nContent-Type: text/plain\r\nUpgrade: tcp\r\n\r\n");
        var head = await client.ReadHeadAsync().WaitAsync(Timeout);
        Assert.Equal("HTTP/1.1 101 UPGRADED", head.StatusLine);
        Assert.Equal(
            ["Content-Type: application/vnd.docker.raw-stream", "Connection: Upgrade", "Upgrade: tcp"],
            head.Headers.Select(h => h.Key + ": " + h.Value));
        await client.SendAsync("line1\nline2\n");
        client.Socket.Shutdown(SocketShutdown.Send);
        var output = await client.ReadToEndAsync().WaitAsync(Timeout);
        Assert.Equal("got:line1\nline2\n", Encoding.ASCII.GetString(output));
    }

    [Fact]
    public async Task BytesSentWithTheRequestHeadComeFirst()
    {
        await using var server = new TestServer(CatUntilEof);
        using var client = server.Connect();
        // Head and stdin in one write, then EOF: the parser buffered the stdin bytes.
        await client.SendAsync("POST /containers/c1/attach?stdin=1 HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nearly bytes");
        client.Socket.Shutdown(SocketShutdown.Send);
        var head = await client.ReadHeadAsync().WaitAsync(Timeout);
        Assert.Equal(101, head.Status);
        Assert.Equal("got:early bytes", Encoding.ASCII.GetString(await client.ReadToEndAsync().WaitAsync(Timeout)));
    }

    [Fact]
    public async Task WithoutUpgradeGets200AndARawStream()
    {
        await using var server = new TestServer(CatUntilEof);
        using var client = server.Connect();
        // Docker.DotNet's attach: no Upgrade header, Connection: close, bare LF lines.
        await client.SendAsync("POST /containers/c1/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\nUser-Agent: Docker.DotNet\nHost: p-dotnet.sock:80\nConnection: close\n\r\n");
        var head = await client.ReadHeadAsync().WaitAsync(Timeout);
        Assert.Equal("HTTP/1.1 200 OK", head.StatusLine);
        Assert.Equal("application/vnd.docker.raw-stream", head.Header("Content-Type"));
        Assert.Null(head.Header("Content-Length"));
        Assert.Null(head.Header("Transfer-Encoding"));
        await client.SendAsync("x\n");
        client.Socket.Shutdown(SocketShutdown.Send);
        Assert.Equal("got:x\n", Encoding.ASCII.GetString(await client.ReadToEndAsync().WaitAsync(Timeout)));
    }

    [Fact]
    public async Task ServerShutdownSendEndsTheClientsReadsButNotItsWrites()
    {
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new TestServer(async context =>
        {
            context.Response.Headers["Content-Type"] = "application/vnd.docker.multiplexed-stream";
            await using var stream = await context.HijackAsync("tcp");
            await stream.WriteAsync("bye"u8.ToArray());
            await stream.ShutdownSendAsync();
            var buffer = new byte[100];
            var n = await stream.ReadAsync(buffer);
            received.SetResult(Encoding.ASCII.GetString(buffer, 0, n));
        });
        using var client = server.Connect();
        await client.SendAsync("POST /exec/e1/start HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n");
        var head = await client.ReadHeadAsync().WaitAsync(Timeout);
        Assert.Equal("application/vnd.docker.multiplexed-stream", head.Header("Content-Type"));
        Assert.Equal("bye", Encoding.ASCII.GetString(await client.ReadToEndAsync().WaitAsync(Timeout)));
        await client.SendAsync("late");
        Assert.Equal("late", await received.Task.WaitAsync(Timeout));
    }

    [Fact]
    public async Task ExecStartReadsItsJsonBodyThenHijacks()
    {
        // captures/exec-it.log: POST /exec/{id}/start carries {"Detach":false,"Tty":true} and Upgrade: tcp.
        await using var server = new TestServer(async context =>
        {
            var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            await using var stream = await context.HijackAsync();
            await stream.WriteAsync(body.ToArray());
            var buffer = new byte[100];
            var n = await stream.ReadAsync(buffer);
            await stream.WriteAsync(buffer.AsMemory(0, n));
        });
        using var client = server.Connect();
        const string Json = "{\"Detach\":false,\"Tty\":true}";
        await client.SendAsync($"POST /v1.41/exec/e1/start HTTP/1.1\r\nContent-Length: {Json.Length}\r\nConnection: Upgrade\r\nContent-Type: application/json\r\nUpgrade: tcp\r\n\r\n{Json}");
        Assert.Equal(101, (await client.ReadHeadAsync().WaitAsync(Timeout)).Status);
        await client.SendAsync("ls\r");
        client.Socket.Shutdown(SocketShutdown.Send);
        Assert.Equal(Json + "ls\r", Encoding.ASCII.GetString(await client.ReadToEndAsync().WaitAsync(Timeout)));
    }

    [Fact]
    public async Task RequestsBeforeTheHijackOnTheSameConnectionWork()
    {
        await using var server = new TestServer(context =>
            context.Request.Path.EndsWith("/attach", StringComparison.Ordinal) ? CatUntilEof(context) : context.Response.WriteTextAsync("pong"));
        using var client = server.Connect();
        await client.SendAsync("GET /_ping HTTP/1.1\r\n\r\n");
        Assert.Equal("pong", (await client.ReadResponseAsync()).BodyText);
        await client.SendAsync("POST /containers/c/attach HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
        Assert.Equal(101, (await client.ReadHeadAsync()).Status);
        await client.SendAsync("in");
        client.Socket.Shutdown(SocketShutdown.Send);
        Assert.Equal("got:in", Encoding.ASCII.GetString(await client.ReadToEndAsync().WaitAsync(Timeout)));
    }
}
