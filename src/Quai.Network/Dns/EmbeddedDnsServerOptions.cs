using System.Net;
using Microsoft.Extensions.Logging;

namespace Quai.Network.Dns;

/// <summary>How an <see cref="EmbeddedDnsServer"/> answers: the engine's resolver callbacks and the upstream servers.</summary>
public sealed record EmbeddedDnsServerOptions
{
    /// <summary>
    /// Addresses for a name asked by a container: (containerId, name without trailing dot) →
    /// addresses (IPv4 and/or IPv6), empty when the engine does not know the name.
    /// </summary>
    public required Func<string, string, IReadOnlyList<IPAddress>> Resolve { get; init; }

    /// <summary>The name of an address (PTR), (containerId, address) → name or null.</summary>
    public Func<string, IPAddress, string?>? ResolveReverse { get; init; }

    /// <summary>Servers for the names the engine does not know, tried in order (the host's resolv.conf nameservers, port 53).</summary>
    public IReadOnlyList<IPEndPoint> Upstreams { get; init; } = [];

    /// <summary>Forward unknown names at all (false on internal networks, as docker does).</summary>
    public bool ForwardExternal { get; init; } = true;

    /// <summary>Per-upstream timeout before trying the next.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>The address inside the container's netns: docker's 127.0.0.11.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Parse("127.0.0.11");

    /// <summary>The port (53).</summary>
    public int Port { get; init; } = 53;

    /// <summary>TTL of local answers (docker's resolver uses 600 s).</summary>
    public uint Ttl { get; init; } = 600;

    /// <summary>Queries served at once per container (docker: 100); more get SERVFAIL.</summary>
    public int MaxConcurrentQueries { get; init; } = 100;

    /// <summary>Optional logger.</summary>
    public ILogger? Logger { get; init; }
}
