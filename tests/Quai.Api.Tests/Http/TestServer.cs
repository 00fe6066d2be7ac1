using Microsoft.Extensions.Logging.Abstractions;
using Quai.Api.Http;
using Quai.Testing;

namespace Quai.Api.Tests.Http;

/// <summary>An <see cref="HttpServer"/> on a unix socket in a temporary directory, running until disposed.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly TempDir _dir = new("quai-http");
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    public TestServer(Func<HttpContext, Task> handler, HttpServerOptions? options = null)
    {
        SocketPath = _dir.Combine("api.sock");
        Server = new HttpServer(options ?? new HttpServerOptions(), handler, NullLogger.Instance);
        Server.ListenUnix(SocketPath);
        _run = Server.RunAsync(_stop.Token);
    }

    public HttpServer Server { get; }

    public string SocketPath { get; }

    /// <summary>A new raw connection to the server.</summary>
    public RawClient Connect() => RawClient.ConnectUnix(SocketPath);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(TimeSpan.FromSeconds(30));
        await Server.DisposeAsync();
        _stop.Dispose();
        _dir.Dispose();
    }
}
