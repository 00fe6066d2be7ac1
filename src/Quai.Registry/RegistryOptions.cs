namespace Quai.Registry;

/// <summary>How a quai-registry instance serves: where, from which directory, with which security.</summary>
public sealed class RegistryOptions
{
    /// <summary>The storage root: content/, repositories/, uploads/.</summary>
    public required string Root { get; init; }

    /// <summary>The address to listen on, "127.0.0.1:5000" or "[::1]:0" (port 0 picks a free port).</summary>
    public string Address { get; init; } = "127.0.0.1:5000";

    /// <summary>PEM certificate for TLS; plain HTTP when null.</summary>
    public string? TlsCertificatePath { get; init; }

    /// <summary>PEM private key for <see cref="TlsCertificatePath"/>.</summary>
    public string? TlsKeyPath { get; init; }

    /// <summary>An htpasswd file (bcrypt entries): Basic auth, or the user base of token mode.</summary>
    public string? HtpasswdPath { get; init; }

    /// <summary>
    /// Token mode: the registry challenges with Bearer, issues tokens at /token to the htpasswd
    /// users and verifies them itself (docs/spec/auth/token.md).
    /// </summary>
    public bool TokenAuth { get; init; }

    /// <summary>The service name put in challenges and tokens.</summary>
    public string Service { get; init; } = "quai-registry";

    /// <summary>How long an issued token is valid.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The largest manifest accepted (spec.md#pushing-manifests suggests 4 MiB).</summary>
    public long MaxManifestBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Where the one-JSON-line-per-request log goes (stdout by default).</summary>
    public TextWriter? RequestLog { get; init; }
}
