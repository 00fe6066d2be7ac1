namespace Quai.Cli.Api;

/// <summary>Where the daemon listens: a unix socket path or a TCP host:port (optionally with TLS).</summary>
/// <param name="Uri">The address as the user wrote it (unix:///run/quai/quai.sock, tcp://h:2376).</param>
/// <param name="SocketPath">For unix://, the socket's path.</param>
/// <param name="TcpHost">For tcp://, the host name.</param>
/// <param name="TcpPort">For tcp://, the port.</param>
/// <param name="Tls">TLS settings for tcp://, or null for plain.</param>
public sealed record DaemonHost(string Uri, string? SocketPath, string? TcpHost, int TcpPort, TlsSettings? Tls)
{
    /// <summary>Quai's own socket, the default when nothing is configured.</summary>
    public const string DefaultQuaiHost = "unix:///run/quai/quai.sock";

    /// <summary>Whether this is the default Quai socket (its connect error names quaid).</summary>
    public bool IsDefaultQuai => Uri == DefaultQuaiHost;

    /// <summary>
    /// Picks the host as docker does, with Quai's variable first: `-H`, QUAI_HOST, DOCKER_HOST,
    /// then the default quai socket. TLS per DOCKER_TLS_VERIFY / DOCKER_CERT_PATH (or --tls* flags).
    /// </summary>
    public static DaemonHost Resolve(string? flagHost, Func<string, string?> env, TlsSettings? tlsFromFlags = null)
    {
        var uri = flagHost;
        if (string.IsNullOrEmpty(uri))
        {
            uri = env("QUAI_HOST");
        }
        if (string.IsNullOrEmpty(uri))
        {
            uri = env("DOCKER_HOST");
        }
        if (string.IsNullOrEmpty(uri))
        {
            uri = DefaultQuaiHost;
        }
        return Parse(uri, tlsFromFlags ?? TlsSettings.FromEnvironment(env));
    }

    /// <summary>Parses unix://PATH, tcp://HOST:PORT, or a bare /path.</summary>
    public static DaemonHost Parse(string uri, TlsSettings? tls)
    {
        if (uri.StartsWith('/'))
        {
            return new DaemonHost("unix://" + uri, uri, null, 0, null);
        }
        if (uri.StartsWith("unix://", StringComparison.Ordinal))
        {
            var path = uri["unix://".Length..];
            if (path.Length == 0)
            {
                throw new ArgumentException($"invalid host \"{uri}\": the unix socket path is empty");
            }
            return new DaemonHost(uri, path, null, 0, null);
        }
        if (uri.StartsWith("tcp://", StringComparison.Ordinal) || uri.StartsWith("http://", StringComparison.Ordinal) || uri.StartsWith("https://", StringComparison.Ordinal))
        {
            var rest = uri[(uri.IndexOf("://", StringComparison.Ordinal) + 3)..].TrimEnd('/');
            var defaultPort = tls is null ? 2375 : 2376;
            string host;
            var port = defaultPort;
            if (rest.StartsWith('['))
            {
                var close = rest.IndexOf(']', StringComparison.Ordinal);
                host = rest[1..close];
                if (close + 1 < rest.Length && rest[close + 1] == ':')
                {
                    port = int.Parse(rest[(close + 2)..], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
            else
            {
                var colon = rest.LastIndexOf(':');
                host = colon < 0 ? rest : rest[..colon];
                if (colon >= 0)
                {
                    port = int.Parse(rest[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
            return new DaemonHost(uri, null, host.Length == 0 ? "localhost" : host, port, tls);
        }
        throw new ArgumentException($"invalid host \"{uri}\": use unix:///path/to/socket or tcp://host:port");
    }
}
