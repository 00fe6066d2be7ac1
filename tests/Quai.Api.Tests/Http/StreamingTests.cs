using System.Text;
using Quai.Api.Http;

namespace Quai.Api.Tests.Http;

public class StreamingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task FlushedChunksReachTheClientWhileTheHandlerRuns()
    {
        var clientSawFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlerDone = false;
        await using var server = new TestServer(async context =>
        {
            context.Response.Headers["Content-Type"] = "application/json";
            await context.Response.Body.WriteAsync("{\"status\":\"Pulling\"}\n"u8.ToArray());
            await context.Response.Body.FlushAsync();
            // Pull progress and events: the next line is written only once the client saw the first.
            await clientSawFirst.Task.WaitAsync(Timeout);
            await context.Response.Body.WriteAsync("{\"status\":\"Done\"}\n"u8.ToArray());
            handlerDone = true;
        });
        using var client = server.Connect();
        await client.SendAsync("POST /images/create?fromImage=busybox HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        var head = await client.ReadHeadAsync();
        Assert.Equal("chunked", head.Header("Transfer-Encoding"));
        var firstChunk = await ReadChunkAsync(client);
        Assert.Equal("{\"status\":\"Pulling\"}\n", firstChunk);
        Assert.False(handlerDone);
        clientSawFirst.SetResult();
        Assert.Equal("{\"status\":\"Done\"}\n", await ReadChunkAsync(client));
        Assert.Equal("", await ReadChunkAsync(client));
    }

    [Fact]
    public async Task StartAsyncSendsHeadersBeforeTheBody()
    {
        // docker's wait: 200 and headers at once, {"StatusCode":...} when the container exits.
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new TestServer(async context =>
        {
            context.Response.Headers["Content-Type"] = "application/json";
            await context.Response.StartAsync();
            await exited.Task.WaitAsync(Timeout);
            await context.Response.Body.WriteAsync("{\"StatusCode\":3}\n"u8.ToArray());
        });
        using var client = server.Connect();
        await client.SendAsync("POST /containers/c1/wait?condition=removed HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        var head = await client.ReadHeadAsync().WaitAsync(Timeout);
        Assert.Equal(200, head.Status);
        Assert.Equal("chunked", head.Header("Transfer-Encoding"));
        exited.SetResult();
        Assert.Equal("{\"StatusCode\":3}\n", await ReadChunkAsync(client));
        Assert.Equal("", await ReadChunkAsync(client));
    }

    [Fact]
    public async Task RequestAbortedFiresWhenTheClientDisconnects()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new TestServer(async context =>
        {
            await context.Response.StartAsync();
            started.SetResult();
            try
            {
                // logs -f with no new lines: only RequestAborted can end this.
                await Task.Delay(System.Threading.Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                aborted.SetResult();
            }
        });
        var client = server.Connect();
        await client.SendAsync("GET /containers/c1/logs?follow=1 HTTP/1.1\r\n\r\n");
        await client.ReadHeadAsync();
        await started.Task.WaitAsync(Timeout);
        client.Dispose();
        await aborted.Task.WaitAsync(Timeout);
    }

    [Fact]
    public async Task RequestAbortedFiresAfterAPostBodyWasRead()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new TestServer(async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            await context.Response.StartAsync();
            try
            {
                await Task.Delay(System.Threading.Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                aborted.SetResult();
            }
        });
        var client = server.Connect();
        await client.SendAsync("POST /events HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
        await client.ReadHeadAsync();
        client.Dispose();
        await aborted.Task.WaitAsync(Timeout);
    }

    [Fact]
    public async Task WritesAfterTheClientLeftFailAndAbort()
    {
        var result = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clientGone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new TestServer(async context =>
        {
            await context.Response.StartAsync();
            await clientGone.Task;
            try
            {
                for (var i = 0; i < 1000; i++)
                {
                    await context.Response.Body.WriteAsync(new byte[65536]);
                }
            }
            catch (IOException e)
            {
                result.SetResult(e);
            }
        });
        var client = server.Connect();
        await client.SendAsync("GET /events HTTP/1.1\r\n\r\n");
        await client.ReadHeadAsync();
        client.Dispose();
        clientGone.SetResult();
        Assert.IsType<IOException>(await result.Task.WaitAsync(Timeout));
    }

    private static async Task<string> ReadChunkAsync(RawClient client)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            Assert.Equal(1, await client.ReadSomeAsync(one).WaitAsync(Timeout));
            if (one[0] == '\n')
            {
                break;
            }
            line.Append((char)one[0]);
        }
        var size = Convert.ToInt32(line.ToString().TrimEnd('\r'), 16);
        var data = await client.ReadExactlyAsync(size + 2);
        return Encoding.UTF8.GetString(data, 0, size);
    }
}
