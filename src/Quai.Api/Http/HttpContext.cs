namespace Quai.Api.Http;

/// <summary>One request/response exchange on a connection, handed to the handler.</summary>
public sealed class HttpContext
{
    private readonly HttpConnection _connection;
    private readonly CancellationTokenSource _aborted = new();
    private readonly Lock _lock = new();
    private bool _ended;

    internal HttpContext(HttpConnection connection, HttpRequest request, Stream transport)
    {
        _connection = connection;
        Request = request;
        Response = new HttpResponse(this, transport);
        RequestAborted = _aborted.Token;
    }

    /// <summary>The request.</summary>
    public HttpRequest Request { get; }

    /// <summary>The response.</summary>
    public HttpResponse Response { get; }

    /// <summary>Fires when the client goes away while the handler runs (closed connection, failed write, forced shutdown).</summary>
    public CancellationToken RequestAborted { get; }

    /// <summary>Whether <see cref="HijackAsync"/> took the connection over.</summary>
    public bool IsHijacked => Hijacked is not null;

    internal HttpServerOptions Options => _connection.Options;

    internal RequestBodyStream? BodyStream { get; set; }

    internal HijackedStream? Hijacked { get; private set; }

    /// <summary>
    /// Takes the connection over for a raw byte stream (docker's attach and exec start): sends
    /// <c>101 UPGRADED</c> (Upgrade: tcp) when the client asked to upgrade, else <c>200 OK</c> with
    /// no framing (older clients), with Content-Type <c>application/vnd.docker.raw-stream</c> unless
    /// the handler set another. The stream's reads end at the client's half-close; writes go on.
    /// The stream owns the connection from then on: dispose it when done (the server tracks the
    /// connection until then, and closes it at a forced stop).
    /// </summary>
    public async Task<HijackedStream> HijackAsync(string? upgradeProtocol = null, CancellationToken cancellationToken = default)
    {
        if (Hijacked is not null)
        {
            throw new InvalidOperationException("the connection is already hijacked");
        }
        lock (_lock)
        {
            // From here the client's half-close is the hijacked stream's end of input, not an abort.
            Hijacked = _connection.CreateHijackedStream();
        }
        try
        {
            await Response.WriteHijackHeadAsync(upgradeProtocol, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The caller never gets the stream, so it cannot close it: close it here.
            await Hijacked.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        _connection.Log.Hijacked(Request.Method, Request.Path, Request.IsUpgradeRequest);
        return Hijacked;
    }

    /// <summary>Whether the connection can carry another request after this one (RFC 9112 §9.3).</summary>
    internal bool DecideKeepAlive(bool closeDelimited)
    {
        if (closeDelimited || _connection.IsBroken || _connection.ServerStopping)
        {
            return false;
        }
        var request = Request;
        var keep = request.ProtocolVersion.Minor >= 1
            ? !request.Headers.HasToken("Connection", "close")
            : request.Headers.HasToken("Connection", "keep-alive");
        if (!keep || Response.Headers.HasToken("Connection", "close"))
        {
            return false;
        }
        // A body the client still holds back (Expect: 100-continue, never read) cannot be skipped.
        return BodyStream is null || BodyStream.IsCompleted || !Response.ExpectsContinue || Response.ContinueSent;
    }

    /// <summary>The body ended: watch the connection for the client going away (or pipelined bytes).</summary>
    internal void OnRequestBodyCompleted() => _connection.WatchForAbort(this);

    /// <summary>The watching read found the end of the stream (<paramref name="error"/> false) or an error.</summary>
    internal void OnClientGone(bool error)
    {
        lock (_lock)
        {
            // Before a hijack an Upgrade request's half-close is stdin EOF, not a disconnect.
            if (_ended || Hijacked is not null || (!error && Request.IsUpgradeRequest))
            {
                return;
            }
        }
        // Off the socket's completion thread: the handler's cancellation callbacks run inside Cancel.
        ThreadPool.UnsafeQueueUserWorkItem(static context => context.Abort(), this, preferLocal: false);
    }

    /// <summary>A read or write failed: the connection cannot be reused and the handler should stop.</summary>
    internal void OnConnectionBroken()
    {
        _connection.MarkBroken();
        lock (_lock)
        {
            if (_ended)
            {
                return;
            }
        }
        Abort();
    }

    /// <summary>The body broke HTTP's framing: answer, then close (no more requests on this connection).</summary>
    internal void OnBadRequestBody() => _connection.MarkUnreusable();

    /// <summary>Fires <see cref="RequestAborted"/> (also on forced shutdown).</summary>
    internal void Abort()
    {
        try
        {
            _aborted.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>The exchange is over: later connection events no longer concern it.</summary>
    internal void End()
    {
        lock (_lock)
        {
            _ended = true;
        }
        _aborted.Dispose();
    }
}
