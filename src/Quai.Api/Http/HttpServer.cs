using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Quai.Api.Http;

/// <summary>
/// A small HTTP/1.1 server for the Docker Engine API on unix sockets and TCP (with TLS): keep-alive,
/// chunked streaming, 100-continue, and docker's connection hijack, whose reads end at the client's
/// half-close while writes go on (what Kestrel cannot do, dotnet/aspnetcore#13188).
/// </summary>
public sealed partial class HttpServer : IAsyncDisposable
{
    private readonly List<HttpListenerEndpoint> _listeners = [];
    private readonly ConcurrentDictionary<HttpConnection, Task> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _acceptLoops = [];
    private Task? _stopTask;
    private volatile bool _closing;
    private int _started;

    /// <summary>Creates a server that runs <paramref name="handler"/> for every request.</summary>
    public HttpServer(HttpServerOptions options, Func<HttpContext, Task> handler, ILogger logger)
    {
        Options = options;
        Handler = handler;
        Logger = logger;
    }

    /// <summary>The limits and timeouts in force.</summary>
    public HttpServerOptions Options { get; }

    /// <summary>The addresses listened on (a TCP port 0 shows the port the kernel chose).</summary>
    public IReadOnlyList<EndPoint> LocalEndPoints => [.. _listeners.Select(l => l.Socket.LocalEndPoint!)];

    internal Func<HttpContext, Task> Handler { get; }

    internal ILogger Logger { get; }

    internal CancellationToken StoppingToken => _stopping.Token;

    /// <summary>Accepts and serves connections until <paramref name="cancellationToken"/> fires, then stops gracefully.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_listeners.Count == 0)
        {
            throw new InvalidOperationException("the HTTP server has nothing to listen on: call ListenUnix or ListenTcp before RunAsync");
        }
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("the HTTP server is already running");
        }
        foreach (var listener in _listeners)
        {
            _acceptLoops.Add(AcceptLoopAsync(listener));
        }
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await StopAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Stops: no new connections, idle ones closed at once, in-flight requests (and hijacked streams)
    /// given <see cref="HttpServerOptions.ShutdownTimeout"/> to end, then closed.
    /// </summary>
    public Task StopAsync()
    {
        lock (_listeners)
        {
            return _stopTask ??= StopCoreAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task StopCoreAsync()
    {
        // Listeners first, so nobody connects to a server that is going away; then idle connections.
        _closing = true;
        foreach (var listener in _listeners)
        {
            listener.Socket.Dispose();
            if (listener.UnixPath is { } path && UnixSocketFile.IsSocket(path) == true)
            {
                File.Delete(path);
            }
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        var inFlight = _connections.Values.ToArray();
        if (inFlight.Length == 0)
        {
            return;
        }
        Logger.Stopping(inFlight.Length, Options.ShutdownTimeout);
        try
        {
            await Task.WhenAll(inFlight).WaitAsync(Options.ShutdownTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var left = _connections.Keys.ToArray();
            Logger.StopTimedOut(left.Length);
            foreach (var connection in left)
            {
                connection.Abort();
            }
            try
            {
                await Task.WhenAll(_connections.Values.ToArray()).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    private async Task AcceptLoopAsync(HttpListenerEndpoint listener)
    {
        while (!_closing)
        {
            Socket socket;
            try
            {
                socket = await listener.Socket.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || _closing)
            {
                return;
            }
            catch (SocketException e)
            {
                // EMFILE and friends: back off rather than spin; the listener itself is still good.
                Logger.AcceptFailed(e, listener.Name);
                await Task.Delay(100).ConfigureAwait(false);
                continue;
            }
            if (!listener.IsUnix)
            {
                // Streams (logs -f, attach) are many small writes that must not wait for Nagle.
                socket.NoDelay = true;
            }
            var connection = new HttpConnection(this, socket, listener);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[connection] = gate.Task;
            _ = ServeAsync(connection, gate);
        }
    }

    private async Task ServeAsync(HttpConnection connection, TaskCompletionSource gate)
    {
        try
        {
            await Task.Yield();
            await connection.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
            gate.TrySetResult();
        }
    }
}
