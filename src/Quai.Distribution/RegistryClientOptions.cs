using System.Security.Cryptography.X509Certificates;
using Quai.Distribution.Auth;

namespace Quai.Distribution;

/// <summary>How the registry client reaches registries: mirrors, insecure hosts, trust, credentials, limits.</summary>
public sealed class RegistryClientOptions
{
    /// <summary>
    /// Mirrors per registry domain, tried in order before the registry itself for pulls
    /// ("docker.io" → ["https://mirror.example"]), as daemon.json's registry-mirrors.
    /// </summary>
    public Dictionary<string, List<Uri>> Mirrors { get; init; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Registries reached over plain HTTP: "host:port", "host", or CIDRs ("10.0.0.0/8"), as
    /// daemon.json's insecure-registries. 127.0.0.0/8 and ::1 are always insecure, as in docker.
    /// </summary>
    public List<string> InsecureRegistries { get; init; } = [];

    /// <summary>
    /// Reach loopback registries (127.0.0.0/8, ::1, localhost) over plain HTTP, as docker does by
    /// default; false makes them HTTPS like any other (e.g. a local TLS registry).
    /// </summary>
    public bool PlainHttpForLoopback { get; init; } = true;

    /// <summary>Extra certificate authorities (or self-signed certificates) trusted for HTTPS registries.</summary>
    public X509Certificate2Collection TrustedCertificates { get; init; } = [];

    /// <summary>Where credentials come from (default: ~/.docker/config.json or $DOCKER_CONFIG).</summary>
    public ICredentialProvider? Credentials { get; init; }

    /// <summary>Blobs fetched or pushed at once (docker's max-concurrent-downloads is 3).</summary>
    public int MaxConcurrency { get; init; } = 3;

    /// <summary>How many times a blob download is retried (resuming with Range) after a failure.</summary>
    public int Retries { get; init; } = 5;

    /// <summary>Delay before the first retry, doubled each time.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Fetch tokens with the OAuth2 POST form (password grant) instead of GET with Basic credentials.</summary>
    public bool PreferOAuthTokenPost { get; init; }

    /// <summary>The User-Agent sent.</summary>
    public string UserAgent { get; init; } = "quai/0.1";
}
