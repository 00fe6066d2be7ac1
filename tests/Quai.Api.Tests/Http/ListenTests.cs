using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Quai.Api.Http;
using Quai.Testing;

namespace Quai.Api.Tests.Http;

public class ListenTests
{
    private static Task Ok(HttpContext context) => context.Response.WriteTextAsync("ok");

    [Fact]
    public async Task SocketFileGetsModeAndGroupAndIsRemovedAtStop()
    {
        Root.Require();
        using var dir = new TempDir("quai-listen");
        var path = dir.Combine("api.sock");
        var server = new HttpServer(new HttpServerOptions(), Ok, NullLogger.Instance);
        server.ListenUnix(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, gid: 4242);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(path));
        Assert.Equal("4242", Stat("%g", path));
        await server.DisposeAsync();
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task StaleSocketIsReplacedLiveOneIsNot()
    {
        using var dir = new TempDir("quai-listen");
        var path = dir.Combine("api.sock");
        // A crashed daemon's leftover: bound, never unlinked (.NET unlinks on dispose, python does not).
        using (var p = Process.Start("python3", ["-c", "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", path]))
        {
            p.WaitForExit();
        }
        Assert.True(File.Exists(path));
        await using var server = new TestServerAt(path);
        using (var client = RawClient.ConnectUnix(path))
        {
            await client.SendAsync("GET /_ping HTTP/1.1\r\n\r\n");
            Assert.Equal("ok", (await client.ReadResponseAsync()).BodyText);
        }
        await using var second = new HttpServer(new HttpServerOptions(), Ok, NullLogger.Instance);
        var e = Assert.Throws<IOException>(() => second.ListenUnix(path));
        Assert.Contains("another server is listening", e.Message);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task NonSocketFileIsNotRemoved()
    {
        using var dir = new TempDir("quai-listen");
        var path = dir.Combine("api.sock");
        File.WriteAllText(path, "precious");
        await using var server = new HttpServer(new HttpServerOptions(), Ok, NullLogger.Instance);
        var e = Assert.Throws<IOException>(() => server.ListenUnix(path));
        Assert.Contains("not a socket", e.Message);
        Assert.Equal("precious", File.ReadAllText(path));
    }

    [Fact]
    public async Task StopLetsInFlightRequestsFinishAndClosesIdleConnections()
    {
        var inHandler = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var dir = new TempDir("quai-listen");
        var path = dir.Combine("api.sock");
        var server = new HttpServer(new HttpServerOptions(), async context =>
        {
            if (context.Request.Path == "/slow")
            {
                inHandler.SetResult();
                await release.Task;
            }
            await context.Response.WriteTextAsync("done");
        }, NullLogger.Instance);
        server.ListenUnix(path);
        using var stop = new CancellationTokenSource();
        var run = server.RunAsync(stop.Token);

        using var idle = RawClient.ConnectUnix(path);
        await idle.SendAsync("GET /fast HTTP/1.1\r\n\r\n");
        await idle.ReadResponseAsync();
        using var busy = RawClient.ConnectUnix(path);
        await busy.SendAsync("GET /slow HTTP/1.1\r\n\r\n");
        await inHandler.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await stop.CancelAsync();
        Assert.True(await idle.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
        Assert.False(run.IsCompleted);
        Assert.Throws<SocketException>(() => RawClient.ConnectUnix(path));
        release.SetResult();
        var r = await busy.ReadResponseAsync();
        Assert.Equal("done", r.BodyText);
        Assert.Equal("close", r.Header("Connection"));
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        await server.DisposeAsync();
    }

    [Fact]
    public async Task StopTimeoutAbortsStuckHandlers()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var dir = new TempDir("quai-listen");
        var path = dir.Combine("api.sock");
        var server = new HttpServer(new HttpServerOptions { ShutdownTimeout = TimeSpan.FromMilliseconds(200) }, async context =>
        {
            await context.Response.StartAsync();
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                aborted.SetResult();
            }
        }, NullLogger.Instance);
        server.ListenUnix(path);
        using var stop = new CancellationTokenSource();
        var run = server.RunAsync(stop.Token);
        using var client = RawClient.ConnectUnix(path);
        await client.SendAsync("GET /events HTTP/1.1\r\n\r\n");
        await client.ReadHeadAsync();
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await server.DisposeAsync();
    }

    [Fact]
    public async Task StopTimeoutClosesHijackedStreams()
    {
        var readEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var dir = new TempDir("quai-listen");
        var path = dir.Combine("api.sock");
        var server = new HttpServer(new HttpServerOptions { ShutdownTimeout = TimeSpan.FromMilliseconds(200) }, async context =>
        {
            var stream = await context.HijackAsync();
            try
            {
                _ = await stream.ReadAsync(new byte[1]);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
            {
            }
            readEnded.SetResult();
        }, NullLogger.Instance);
        server.ListenUnix(path);
        using var stop = new CancellationTokenSource();
        var run = server.RunAsync(stop.Token);
        using var client = RawClient.ConnectUnix(path);
        await client.SendAsync("POST /containers/c/attach HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
        Assert.Equal(101, (await client.ReadHeadAsync()).Status);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        await readEnded.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
        await server.DisposeAsync();
    }

    private static string Stat(string format, string path)
    {
        using var p = Process.Start(new ProcessStartInfo("stat", ["-c", format, path]) { RedirectStandardOutput = true })!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return output;
    }

    private sealed class TestServerAt : IAsyncDisposable
    {
        private readonly HttpServer _server = new(new HttpServerOptions(), Ok, NullLogger.Instance);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;

        public TestServerAt(string path)
        {
            _server.ListenUnix(path);
            _run = _server.RunAsync(_stop.Token);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run;
            await _server.DisposeAsync();
            _stop.Dispose();
        }
    }
}
