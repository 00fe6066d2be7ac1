using System.Reflection;

namespace Quai.Api.Http;

/// <summary>Limits, timeouts and identity of an <see cref="HttpServer"/>.</summary>
public sealed class HttpServerOptions
{
    /// <summary>The <c>Server</c> header (dockerd sends <c>Docker/x (linux)</c>).</summary>
    public string ServerHeader { get; set; } = "Quai/" + DefaultVersion() + " (linux)";

    /// <summary>The longest request line accepted (longer: 414).</summary>
    public int MaxRequestLineBytes { get; set; } = 8 * 1024;

    /// <summary>The largest header block accepted, all lines together (larger: 431).</summary>
    public int MaxRequestHeadersBytes { get; set; } = 64 * 1024;

    /// <summary>The most header lines accepted (more: 431).</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>How long an idle keep-alive connection waits for its next request before it is closed.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a request head may take once its first byte arrived (dockerd: ReadHeaderTimeout).</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a TLS handshake may take.</summary>
    public TimeSpan TlsHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a graceful stop lets in-flight requests (and hijacked streams) run before it closes them.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How much of a body the handler did not read is read and dropped to keep the connection (more: close).</summary>
    public long MaxRequestBodyDrainBytes { get; set; } = 1024 * 1024;

    private static string DefaultVersion()
    {
        var info = typeof(HttpServerOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(info))
        {
            return "dev";
        }
        var plus = info.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? info : info[..plus];
    }
}
