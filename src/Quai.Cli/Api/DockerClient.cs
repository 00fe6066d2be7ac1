using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Quai.Cli.Api;

/// <summary>
/// A Docker Engine API client over HTTP/1.1 on a unix socket (or TCP, with TLS when configured).
/// The API version is negotiated on first use, as docker's client does: HEAD /_ping, then
/// every path is prefixed with /v{min(1.50, daemon's)}.
/// </summary>
public sealed partial class DockerClient : IDisposable
{
    // Docker's client uses this host name for unix sockets; daemons ignore it.
    private const string HostHeader = "api.moby.localhost";
    private readonly HttpClient _http;
    private readonly string? _versionOverride;
    private string? _version;

    /// <summary>A client for <paramref name="host"/>; <paramref name="apiVersionOverride"/> is DOCKER_API_VERSION.</summary>
    public DockerClient(DaemonHost host, string? apiVersionOverride)
    {
        Host = host;
        _versionOverride = string.IsNullOrEmpty(apiVersionOverride) ? null : apiVersionOverride;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) => await ConnectAsync(ct).ConfigureAwait(false),
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://" + HostHeader), Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Quai-Client", CliInfo.Version));
    }

    /// <summary>The daemon this client talks to.</summary>
    public DaemonHost Host { get; }

    /// <summary>The daemon's own API version from the last ping (null before negotiation).</summary>
    public string? ServerApiVersion { get; private set; }

    /// <summary>The negotiated API version (after the first request).</summary>
    public string? Version => _version;

    /// <summary>Opens a raw connection to the daemon (unix socket or TCP, TLS-wrapped when configured).</summary>
    public async Task<Stream> ConnectAsync(CancellationToken ct)
    {
        Socket? socket = null;
        try
        {
            if (Host.SocketPath is { } path)
            {
                socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(Host.TcpHost!, Host.TcpPort, ct).ConfigureAwait(false);
            var net = new NetworkStream(socket, ownsSocket: true);
            if (Host.Tls is null)
            {
                return net;
            }
            var ssl = new SslStream(net, leaveInnerStreamOpen: false);
            await ssl.AuthenticateAsClientAsync(Host.Tls.ClientOptions(Host.TcpHost!), ct).ConfigureAwait(false);
            return ssl;
        }
        catch (SocketException e)
        {
            socket?.Dispose();
            throw new DaemonUnreachableException(DaemonUnreachableException.MessageFor(Host), e);
        }
    }

    /// <summary>Negotiates the API version once (HEAD /_ping, GET when HEAD is refused).</summary>
    public async Task<string> NegotiateAsync(CancellationToken ct = default)
    {
        if (_version is not null)
        {
            return _version;
        }
        if (_versionOverride is not null)
        {
            return _version = _versionOverride;
        }
        using var head = await RawSendAsync(new HttpRequestMessage(HttpMethod.Head, "/_ping"), HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        HttpResponseMessage? ping = head;
        HttpResponseMessage? get = null;
        if (!head.IsSuccessStatusCode && !head.Headers.Contains("Api-Version"))
        {
            get = await RawSendAsync(new HttpRequestMessage(HttpMethod.Get, "/_ping"), HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
            ping = get;
        }
        using (get)
        {
            ServerApiVersion = ping.Headers.TryGetValues("Api-Version", out var v) ? v.FirstOrDefault() : null;
        }
        return _version = ApiVersion.Negotiate(ServerApiVersion, null);
    }

    /// <summary>
    /// Sends a request to /v{version}{pathAndQuery}. Error statuses become <see cref="DockerApiException"/>.
    /// With <paramref name="streaming"/>, the body is left unread for the caller to stream.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, HttpContent? content = null, bool streaming = false, IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken ct = default)
    {
        var version = await NegotiateAsync(ct).ConfigureAwait(false);
        var request = new HttpRequestMessage(method, "/v" + version + pathAndQuery) { Content = content };
        foreach (var (k, v) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(k, v);
        }
        var response = await RawSendAsync(request, streaming ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        if ((int)response.StatusCode >= 400)
        {
            using (response)
            {
                throw await ErrorFromAsync(response, ct).ConfigureAwait(false);
            }
        }
        return response;
    }

    /// <summary>GET returning the body as JSON (null for an empty body).</summary>
    public async Task<JsonNode?> GetJsonAsync(string pathAndQuery, CancellationToken ct = default)
    {
        using var r = await SendAsync(HttpMethod.Get, pathAndQuery, ct: ct).ConfigureAwait(false);
        return await ReadJsonAsync(r, ct).ConfigureAwait(false);
    }

    /// <summary>GET returning the raw body bytes (for inspect, which prints the daemon's JSON as sent).</summary>
    public async Task<byte[]> GetBytesAsync(string pathAndQuery, CancellationToken ct = default)
    {
        using var r = await SendAsync(HttpMethod.Get, pathAndQuery, ct: ct).ConfigureAwait(false);
        return await r.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
    }

    /// <summary>POST with an optional JSON body, returning the JSON answer (null when empty).</summary>
    public async Task<JsonNode?> PostJsonAsync(string pathAndQuery, JsonNode? body = null, IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken ct = default)
    {
        using var r = await SendAsync(HttpMethod.Post, pathAndQuery, JsonContent(body), headers: headers, ct: ct).ConfigureAwait(false);
        return await ReadJsonAsync(r, ct).ConfigureAwait(false);
    }

    /// <summary>DELETE, returning the JSON answer if any.</summary>
    public async Task<JsonNode?> DeleteAsync(string pathAndQuery, CancellationToken ct = default)
    {
        using var r = await SendAsync(HttpMethod.Delete, pathAndQuery, ct: ct).ConfigureAwait(false);
        return await ReadJsonAsync(r, ct).ConfigureAwait(false);
    }

    /// <summary>A JSON request body (null for none: docker sends no body then).</summary>
    public static HttpContent? JsonContent(JsonNode? body) =>
        body is null ? null : new StringContent(Formatting.GoJson.Serialize(body, escapeHtml: false), Encoding.UTF8, "application/json");

    /// <summary>Escapes one path segment or query value.</summary>
    public static string Esc(string s) => Uri.EscapeDataString(s);

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> RawSendAsync(HttpRequestMessage request, HttpCompletionOption option, CancellationToken ct)
    {
        try
        {
            return await _http.SendAsync(request, option, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is DaemonUnreachableException u)
        {
            throw u;
        }
        catch (HttpRequestException e)
        {
            throw new DaemonUnreachableException(DaemonUnreachableException.MessageFor(Host), e);
        }
        finally
        {
            request.Dispose();
        }
    }

    private static async Task<JsonNode?> ReadJsonAsync(HttpResponseMessage r, CancellationToken ct)
    {
        var bytes = await r.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        return bytes.Length == 0 ? null : JsonNode.Parse(bytes);
    }

    internal static async Task<DockerApiException> ErrorFromAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = response.Content is null ? "" : await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        return new DockerApiException(response.StatusCode, ErrorMessage(response.StatusCode, text));
    }

    /// <summary>The message of an error body: its "message" field, else the text, else the status.</summary>
    internal static string ErrorMessage(HttpStatusCode status, string body)
    {
        var trimmed = body.Trim();
        if (trimmed.StartsWith('{'))
        {
            try
            {
                if (JsonNode.Parse(trimmed)?["message"]?.GetValue<string>() is { } m)
                {
                    return m;
                }
            }
            catch (System.Text.Json.JsonException)
            {
                // Not JSON after all: fall through to the raw text, as docker's client does.
            }
        }
        if (trimmed.Length > 0)
        {
            return trimmed;
        }
        return status == HttpStatusCode.NotFound ? "page not found" : $"{(int)status} {status}";
    }
}
