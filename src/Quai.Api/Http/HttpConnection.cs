using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Quai.Api.Http;

/// <summary>
/// One accepted connection: reads requests one after the other (keep-alive, pipelining), runs the
/// handler for each, and closes gracefully (FIN, then a short drain so the last response is not
/// lost to a reset) unless the connection was hijacked.
/// </summary>
internal sealed partial class HttpConnection
{
    private readonly HttpServer _server;
    private readonly Socket _socket;
    private readonly HttpListenerEndpoint _endpoint;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly CancellationTokenSource _timer = new();
    private readonly CancellationTokenSource _idle;
    private readonly CancellationTokenSource _active;
    private Stream? _transport;
    private ConnectionInput? _input;
    private X509Certificate2? _clientCertificate;
    private volatile HttpContext? _current;
    private volatile bool _broken;
    private volatile bool _peerGone;
    private bool _hijacked;

    public HttpConnection(HttpServer server, Socket socket, HttpListenerEndpoint endpoint)
    {
        _server = server;
        _socket = socket;
        _endpoint = endpoint;
        _idle = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token, _timer.Token, server.StoppingToken);
        _active = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token, _timer.Token);
    }

    public HttpServerOptions Options => _server.Options;

    public ILogger Log => _server.Logger;

    /// <summary>Whether the connection cannot carry another request.</summary>
    public bool IsBroken => _broken;

    /// <summary>Whether the server is stopping (responses then say Connection: close).</summary>
    public bool ServerStopping => _server.StoppingToken.IsCancellationRequested;

    /// <summary>No further request on this connection, but the current one can still be answered.</summary>
    public void MarkUnreusable() => _broken = true;

    /// <summary>The client is gone (a read or write failed): nothing more can be sent.</summary>
    public void MarkBroken()
    {
        _broken = true;
        _peerGone = true;
    }

    /// <summary>Closes the connection now (forced shutdown): the handler sees RequestAborted, I/O fails.</summary>
    public void Abort()
    {
        _peerGone = true;
        _broken = true;
        try
        {
            _lifetime.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        _current?.Abort();
        _current?.Hijacked?.Dispose();
        _socket.Dispose();
    }

    /// <summary>Serves requests until the client leaves, a timeout, an error or the server's stop.</summary>
    public async Task RunAsync()
    {
        try
        {
            _transport = await OpenTransportAsync().ConfigureAwait(false);
            if (_transport is null)
            {
                return;
            }
            _input = new ConnectionInput(_transport);
            while (!_broken && !ServerStopping)
            {
                _timer.CancelAfter(Options.KeepAliveTimeout);
                HttpRequest? request;
                try
                {
                    request = await RequestParser.ReadAsync(_input, Options, OnFirstByte, _idle.Token, _active.Token).ConfigureAwait(false);
                }
                catch (BadHttpRequestException e)
                {
                    await SendBadRequestAsync(e).ConfigureAwait(false);
                    break;
                }
                if (request is null)
                {
                    break;
                }
                _timer.CancelAfter(Timeout.InfiniteTimeSpan);
                if (!await ProcessAsync(request).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Timeout, stop, or the client went away: nothing to answer.
            Log.ConnectionError(e.Message);
        }
        catch (Exception e)
        {
            Log.ConnectionError(e.ToString());
        }
        finally
        {
            if (!_hijacked)
            {
                await CloseAsync().ConfigureAwait(false);
            }
            _idle.Dispose();
            _active.Dispose();
            _timer.Dispose();
            _lifetime.Dispose();
        }
    }

    /// <summary>The hijacked stream for the current exchange; from now on it owns the connection.</summary>
    public HijackedStream CreateHijackedStream()
    {
        _hijacked = true;
        return new HijackedStream(_input!, _transport!, _socket);
    }

    /// <summary>Starts the read that notices a client leaving while the handler streams its response.</summary>
    public void WatchForAbort(HttpContext context)
    {
        if (context.IsHijacked || _input is null)
        {
            return;
        }
        _input.StartPendingFill(context.OnClientGone, _lifetime.Token);
    }

    private void OnFirstByte() => _timer.CancelAfter(Options.RequestHeadersTimeout);

    private async Task<bool> ProcessAsync(HttpRequest request)
    {
        request.RemoteEndPoint = _endpoint.IsUnix ? null : _socket.RemoteEndPoint;
        request.IsTls = _transport is SslStream;
        request.ClientCertificate = _clientCertificate;
        var context = new HttpContext(this, request, _transport!);
        _current = context;
        try
        {
            try
            {
                SetUpBody(context);
            }
            catch (BadHttpRequestException e)
            {
                await SendBadRequestAsync(e).ConfigureAwait(false);
                return false;
            }
            if (context.BodyStream is null)
            {
                WatchForAbort(context);
            }
            try
            {
                await _server.Handler(context).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                if (!await AnswerHandlerErrorAsync(context, e).ConfigureAwait(false))
                {
                    return false;
                }
            }
            if (context.Hijacked is { } hijacked)
            {
                await hijacked.Closed.ConfigureAwait(false);
                return false;
            }
            var intact = await context.Response.CompleteAsync(_lifetime.Token).ConfigureAwait(false);
            Log.Request(request.Method, request.RawTarget, context.Response.StatusCode);
            if (!intact || !context.Response.KeepAlive || _broken)
            {
                return false;
            }
            return await DrainBodyAsync(context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            Log.ConnectionError(e.Message);
            _broken = true;
            return false;
        }
        finally
        {
            _current = null;
            context.End();
        }
    }

    // The handler threw: answer with the error's status if nothing was sent yet, else cut the connection.
    private async Task<bool> AnswerHandlerErrorAsync(HttpContext context, Exception e)
    {
        var request = context.Request;
        if (context.IsHijacked)
        {
            Log.HandlerFailed(e, request.Method, request.Path);
            return true;
        }
        if (context.Response.HasStarted || _peerGone)
        {
            Log.HandlerFailedAfterStart(e, request.Method, request.Path);
            _broken = true;
            return false;
        }
        var (status, message) = e is BadHttpRequestException bad ? (bad.StatusCode, bad.Message) : ErrorStatus.FromException(e);
        if (e is ApiException or BadHttpRequestException)
        {
            Log.HandlerError(request.Method, request.Path, status, message);
        }
        else
        {
            Log.HandlerFailed(e, request.Method, request.Path);
        }
        if (e is BadHttpRequestException)
        {
            context.Response.Headers["Connection"] = "close";
        }
        await context.Response.WriteErrorAsync(status, message).ConfigureAwait(false);
        return true;
    }

    private async Task<bool> DrainBodyAsync(HttpContext context)
    {
        if (context.BodyStream is not { IsCompleted: false } body)
        {
            return true;
        }
        if (context.Response.ExpectsContinue && !context.Response.ContinueSent)
        {
            return false;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            return await body.DrainAsync(Options.MaxRequestBodyDrainBytes, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private void SetUpBody(HttpContext context)
    {
        var request = context.Request;
        var http10 = request.ProtocolVersion.Minor == 0;
        var transferEncoding = request.Headers.GetValues("Transfer-Encoding");
        var contentLength = request.Headers.GetValues("Content-Length");
        if (!http10 && !_endpoint.IsUnix && request.Headers.GetValues("Host").Count != 1)
        {
            // RFC 9112 §3.2: exactly one Host in HTTP/1.1; a unix socket has no host, docker's clients send one anyway.
            throw new BadHttpRequestException(400, "missing or repeated Host header");
        }
        RequestBodyStream? body = null;
        if (transferEncoding.Count > 0)
        {
            if (http10)
            {
                throw new BadHttpRequestException(400, "Transfer-Encoding is not allowed in an HTTP/1.0 request");
            }
            if (contentLength.Count > 0)
            {
                // RFC 9112 §6.3: both headers is a smuggling attempt or a broken client.
                throw new BadHttpRequestException(400, "a request cannot have both Transfer-Encoding and Content-Length");
            }
            var codings = string.Join(',', transferEncoding).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (codings.Length != 1 || !string.Equals(codings[0], "chunked", StringComparison.OrdinalIgnoreCase))
            {
                throw new BadHttpRequestException(501, $"unsupported Transfer-Encoding \"{string.Join(", ", codings)}\": only chunked is supported");
            }
            request.IsChunked = true;
            body = new ChunkedRequestStream(_input!, context, Options.MaxRequestHeadersBytes);
        }
        else if (contentLength.Count > 0)
        {
            long? length = null;
            foreach (var part in string.Join(',', contentLength).Split(',', StringSplitOptions.TrimEntries))
            {
                if (part.Length is 0 or > 18 || !part.All(char.IsAsciiDigit)
                    || !long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || (length is not null && length != n))
                {
                    throw new BadHttpRequestException(400, "invalid Content-Length header");
                }
                length = n;
            }
            request.ContentLength = length;
            if (length > 0)
            {
                body = new ContentLengthRequestStream(_input!, context, length.Value);
            }
        }
        if (body is not null)
        {
            request.Body = body;
            context.BodyStream = body;
            context.Response.ExpectsContinue = !http10 && request.Headers.HasToken("Expect", "100-continue");
        }
        if (request.Headers.HasToken("Connection", "upgrade") && request.Headers["Upgrade"] is { Length: > 0 } upgrade)
        {
            request.UpgradeProtocol = upgrade.Split(',', StringSplitOptions.TrimEntries)[0];
        }
    }

    private async Task SendBadRequestAsync(BadHttpRequestException e)
    {
        Log.BadRequest(_endpoint.Name, e.StatusCode, e.Message);
        _broken = true;
        var body = JsonSerializer.SerializeToUtf8Bytes(new ErrorMessage(e.Message), HttpJsonContext.Default.ErrorMessage);
        using var head = new ResponseHead();
        head.StatusLine(e.StatusCode);
        head.Header("Content-Type", "application/json");
        head.Header("Server", Options.ServerHeader);
        head.Header("Date", ResponseHead.Date);
        head.Header("Content-Length", (body.Length + 1).ToString(CultureInfo.InvariantCulture));
        head.Header("Connection", "close");
        head.End();
        head.Append(body);
        head.Append("\n"u8);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _transport!.WriteAsync(head.Buffer.AsMemory(0, head.Length), timeout.Token).ConfigureAwait(false);
            await _transport.FlushAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            _peerGone = true;
        }
    }

    private static string Describe(Exception e) => new StringBuilder(e.GetType().Name).Append(": ").Append(e.Message).ToString();
}
