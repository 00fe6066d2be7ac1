using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Quai.Api.Http;

/// <summary>A parsed HTTP/1.x request: line, headers and a body stream that reads it as it arrives.</summary>
public sealed class HttpRequest
{
    private QueryCollection? _query;
    private IReadOnlyDictionary<string, string>? _routeValues;

    internal HttpRequest(string method, string rawTarget, string rawPath, string path, string queryString, Version protocolVersion, HttpHeaders headers)
    {
        Method = method;
        RawTarget = rawTarget;
        RawPath = rawPath;
        Path = path;
        QueryString = queryString;
        ProtocolVersion = protocolVersion;
        Headers = headers;
    }

    /// <summary>The method, as sent (methods are case-sensitive, RFC 9110 §9.1).</summary>
    public string Method { get; }

    /// <summary>The request target exactly as on the request line (path and query, still encoded).</summary>
    public string RawTarget { get; }

    /// <summary>The path part of the target, still percent-encoded (the router splits it before decoding).</summary>
    public string RawPath { get; }

    /// <summary>The percent-decoded path, without the query.</summary>
    public string Path { get; }

    /// <summary>The raw query string, without the '?' (empty when none).</summary>
    public string QueryString { get; }

    /// <summary>The query parameters (Go's url.ParseQuery rules; keys case-sensitive).</summary>
    public QueryCollection Query => _query ??= QueryString.Length == 0 ? QueryCollection.Empty : QueryCollection.Parse(QueryString);

    /// <summary>HTTP/1.0 or HTTP/1.1.</summary>
    public Version ProtocolVersion { get; }

    /// <summary>The header fields (case-insensitive names, several values per name).</summary>
    public HttpHeaders Headers { get; }

    /// <summary>The Content-Length, or null when the body is chunked or absent.</summary>
    public long? ContentLength { get; internal set; }

    /// <summary>Whether the body is sent with Transfer-Encoding: chunked.</summary>
    public bool IsChunked { get; internal set; }

    /// <summary>The body, de-chunked; empty when the request has none. Reading it sends "100 Continue" if the client asked.</summary>
    public Stream Body { get; internal set; } = Stream.Null;

    /// <summary>Whether the client asked to switch protocols (<c>Connection: Upgrade</c> with an <c>Upgrade</c> header).</summary>
    public bool IsUpgradeRequest => UpgradeProtocol is not null;

    /// <summary>The protocol of <c>Upgrade:</c> when <c>Connection: Upgrade</c> came with it (docker: "tcp", "h2c").</summary>
    public string? UpgradeProtocol { get; internal set; }

    /// <summary>The API version of the <c>/v1.xx</c> path prefix, set by the router; null when unversioned.</summary>
    public ApiVersion? ApiVersion { get; set; }

    /// <summary>The values of the route template's parameters, percent-decoded; set by the router.</summary>
    public IReadOnlyDictionary<string, string> RouteValues
    {
        get => _routeValues ?? EmptyRouteValues;
        set => _routeValues = value;
    }

    /// <summary>The peer's address (a unix socket's is unnamed).</summary>
    public EndPoint? RemoteEndPoint { get; internal set; }

    /// <summary>Whether the connection is TLS.</summary>
    public bool IsTls { get; internal set; }

    /// <summary>The verified client certificate (TLS with client-certificate verification).</summary>
    public X509Certificate2? ClientCertificate { get; internal set; }

    private static readonly Dictionary<string, string> EmptyRouteValues = [];

    /// <summary>A route value by name; throws if the route has no such parameter.</summary>
    public string RouteValue(string name) =>
        RouteValues.TryGetValue(name, out var v) ? v : throw new KeyNotFoundException($"route has no parameter \"{name}\"");
}
