using System.Net;

namespace Quai.Distribution;

/// <summary>
/// Maps a reference's domain to the endpoints to talk to: Docker Hub's API host, configured mirrors,
/// and HTTP for insecure registries only (docker's registry/config.go: loopback and
/// insecure-registries, by host or CIDR); HTTPS otherwise.
/// </summary>
public sealed class RegistryHosts
{
    /// <summary>Where docker.io's API really is.</summary>
    public const string DockerHubApiHost = "registry-1.docker.io";

    private readonly RegistryClientOptions _options;

    public RegistryHosts(RegistryClientOptions options) => _options = options;

    /// <summary>Endpoints for <paramref name="domain"/>: mirrors first when pulling, then the registry.</summary>
    public IReadOnlyList<RegistryEndpoint> Resolve(string domain, bool push)
    {
        var result = new List<RegistryEndpoint>();
        if (!push && _options.Mirrors.TryGetValue(domain, out var mirrors))
        {
            result.AddRange(mirrors.Select(m => new RegistryEndpoint(domain, m.AbsoluteUri.EndsWith('/') ? m : new Uri(m.AbsoluteUri + "/"), true)));
        }
        var host = domain == "docker.io" ? DockerHubApiHost : domain;
        var scheme = IsInsecure(domain) ? "http" : "https";
        result.Add(new RegistryEndpoint(domain, new Uri($"{scheme}://{host}/"), false));
        return result;
    }

    /// <summary>True when <paramref name="domain"/> ("host" or "host:port") is reached over plain HTTP.</summary>
    public bool IsInsecure(string domain)
    {
        var host = HostOf(domain);
        var isIp = IPAddress.TryParse(host, out var ip);
        if (_options.PlainHttpForLoopback && (host == "localhost" || (isIp && IPAddress.IsLoopback(ip!))))
        {
            return true;
        }
        foreach (var entry in _options.InsecureRegistries)
        {
            if (entry.Equals(domain, StringComparison.OrdinalIgnoreCase) || entry.Equals(host, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
            if (isIp && entry.Contains('/', StringComparison.Ordinal) && IPNetwork.TryParse(entry, out var network) && network.Contains(ip!))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The host part of "host:port" or "[v6]:port".</summary>
    private static string HostOf(string domain)
    {
        if (domain.StartsWith('['))
        {
            var close = domain.IndexOf(']', StringComparison.Ordinal);
            return close > 0 ? domain[1..close] : domain;
        }
        var colon = domain.LastIndexOf(':');
        return colon > 0 && domain.IndexOf(':', StringComparison.Ordinal) == colon ? domain[..colon] : domain;
    }

}
