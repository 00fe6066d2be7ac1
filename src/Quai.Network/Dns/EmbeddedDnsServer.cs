using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Quai.Network.Namespaces;

namespace Quai.Network.Dns;

/// <summary>
/// docker's embedded DNS server for one container: UDP and TCP sockets bound to 127.0.0.11:53
/// inside the container's network namespace (opened from a thread that joined it, so no
/// iptables redirection is needed), served asynchronously from the daemon. Names the engine
/// knows (containers, aliases, services on the same networks) are answered from its callback
/// (A, AAAA — empty NOERROR when the name has no address of that family — and PTR); everything
/// else is forwarded to the upstream servers from the host's namespace.
/// </summary>
public sealed partial class EmbeddedDnsServer : IAsyncDisposable
{
    private readonly string containerId;
    private readonly EmbeddedDnsServerOptions options;
    private readonly Socket udp;
    private readonly Socket tcp;
    private readonly CancellationTokenSource stopping = new();
    private readonly SemaphoreSlim concurrency;
    private readonly Task udpLoop;
    private readonly Task tcpLoop;
    private readonly ILogger? logger;

    private EmbeddedDnsServer(string containerId, EmbeddedDnsServerOptions options, Socket udp, Socket tcp)
    {
        this.containerId = containerId;
        this.options = options;
        this.udp = udp;
        this.tcp = tcp;
        logger = options.Logger;
        concurrency = new SemaphoreSlim(options.MaxConcurrentQueries, options.MaxConcurrentQueries);
        udpLoop = Task.Run(ServeUdpAsync);
        tcpLoop = Task.Run(ServeTcpAsync);
    }

    /// <summary>The UDP endpoint inside the netns (127.0.0.11:53 by default).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)udp.LocalEndPoint!;

    /// <summary>
    /// Opens the sockets inside the netns at <paramref name="netnsPath"/> and starts serving
    /// queries for <paramref name="containerId"/>. Throws naming the netns when the address is taken.
    /// </summary>
    public static EmbeddedDnsServer Start(string containerId, string netnsPath, EmbeddedDnsServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoint = new IPEndPoint(options.ListenAddress, options.Port);
        var (udp, tcp) = NetworkNamespace.RunInside(netnsPath, () =>
        {
            var u = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            var t = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                u.Bind(endpoint);
                t.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                t.Bind(endpoint);
                t.Listen(64);
                return (u, t);
            }
            catch (SocketException e)
            {
                u.Dispose();
                t.Dispose();
                throw new IOException($"cannot open the DNS server on {endpoint} in network namespace {netnsPath} for container {containerId}: {e.Message}", e);
            }
        });
        return new EmbeddedDnsServer(containerId, options, udp, tcp);
    }

    /// <summary>Answers one query message (no framing); null when it cannot be parsed. Exposed for tests.</summary>
    internal async Task<byte[]?> AnswerAsync(byte[] queryBytes, bool overTcp, CancellationToken cancellationToken)
    {
        DnsPacket query;
        try
        {
            query = DnsPacket.Parse(queryBytes);
        }
        catch (FormatException)
        {
            return null; // not DNS: say nothing, as a resolver would
        }
        if (query.IsResponse || query.Questions.Count != 1 || query.Opcode != 0)
        {
            return Limit(DnsPacket.ResponseTo(query, query.Opcode != 0 ? 4 : DnsConstants.RcodeFormErr), query, overTcp);
        }
        var local = AnswerLocally(query);
        if (local is not null)
        {
            return Limit(local, query, overTcp);
        }
        if (!options.ForwardExternal || options.Upstreams.Count == 0)
        {
            return Limit(DnsPacket.ResponseTo(query, DnsConstants.RcodeServFail), query, overTcp);
        }
        var forwarded = await DnsForwarder.ForwardAsync(queryBytes, overTcp, options.Upstreams, options.UpstreamTimeout, cancellationToken).ConfigureAwait(false);
        if (forwarded is null)
        {
            if (logger is not null)
            {
                Log.UpstreamFailed(logger, containerId, query.Questions[0].Name);
            }
            return Limit(DnsPacket.ResponseTo(query, DnsConstants.RcodeServFail), query, overTcp);
        }
        return forwarded;
    }

    /// <summary>Stops serving and closes both sockets.</summary>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        udp.Dispose();
        tcp.Dispose();
        try
        {
            await Task.WhenAll(udpLoop, tcpLoop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        stopping.Dispose();
        concurrency.Dispose();
    }

    private DnsPacket? AnswerLocally(DnsPacket query)
    {
        var question = query.Questions[0];
        var name = question.Name.TrimEnd('.');
        if (question.Class != DnsConstants.ClassIn)
        {
            return null;
        }
        switch (question.Type)
        {
            case DnsConstants.TypeA:
            case DnsConstants.TypeAaaa:
                {
                    var addresses = options.Resolve(containerId, name);
                    if (addresses.Count == 0)
                    {
                        return null;
                    }
                    var family = question.Type == DnsConstants.TypeA ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
                    // A known name without an address of the asked family: an empty NOERROR, not a
                    // forward (docker's ipv6Miss), so AAAA lookups of containers do not leak out.
                    var records = addresses.Where(a => a.AddressFamily == family)
                        .OrderBy(_ => Random.Shared.Next()) // docker shuffles for round-robin
                        .Select(a => new DnsRecord(question.Name, question.Type, DnsConstants.ClassIn, options.Ttl, a.GetAddressBytes()))
                        .ToList();
                    return DnsPacket.ResponseTo(query, DnsConstants.RcodeNoError, records);
                }
            case DnsConstants.TypePtr when options.ResolveReverse is not null && TryParseReverse(name, out var address):
                {
                    var target = options.ResolveReverse(containerId, address);
                    return target is null
                        ? null
                        : DnsPacket.ResponseTo(query, DnsConstants.RcodeNoError, [new DnsRecord(question.Name, DnsConstants.TypePtr, DnsConstants.ClassIn, options.Ttl, DnsPacket.EncodeName(target))]);
                }
            default:
                return null;
        }
    }

    private static byte[] Limit(DnsPacket response, DnsPacket query, bool overTcp)
    {
        var bytes = response.Encode();
        if (overTcp || bytes.Length <= query.MaxUdpResponseSize)
        {
            return bytes;
        }
        // RFC 1035 §4.2.1: too big for UDP — set TC and drop the records; the client retries over TCP.
        return (response with { Flags = (ushort)(response.Flags | 0x0200), Answers = [], Authorities = [], Additionals = [] }).Encode();
    }

    /// <summary>Parses "4.3.2.1.in-addr.arpa" and the ip6.arpa nibble form into an address.</summary>
    internal static bool TryParseReverse(string name, out IPAddress address)
    {
        address = IPAddress.None;
        const string v4 = ".in-addr.arpa";
        const string v6 = ".ip6.arpa";
        if (name.EndsWith(v4, StringComparison.OrdinalIgnoreCase))
        {
            var parts = name[..^v4.Length].Split('.');
            if (parts.Length != 4)
            {
                return false;
            }
            Array.Reverse(parts);
            return IPAddress.TryParse(string.Join('.', parts), out address!) && address.AddressFamily == AddressFamily.InterNetwork;
        }
        if (name.EndsWith(v6, StringComparison.OrdinalIgnoreCase))
        {
            var nibbles = name[..^v6.Length].Split('.');
            if (nibbles.Length != 32 || nibbles.Any(n => n.Length != 1 || !Uri.IsHexDigit(n[0])))
            {
                return false;
            }
            Array.Reverse(nibbles);
            var bytes = new byte[16];
            for (var i = 0; i < 16; i++)
            {
                bytes[i] = byte.Parse(nibbles[2 * i] + nibbles[(2 * i) + 1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
            address = new IPAddress(bytes);
            return true;
        }
        return false;
    }

    private async Task ServeUdpAsync()
    {
        var buffer = new byte[65535];
        var any = new IPEndPoint(udp.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await udp.ReceiveFromAsync(buffer, SocketFlags.None, any, stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // e.g. ICMP port unreachable from an earlier reply
            }
            var query = buffer[..received.ReceivedBytes];
            var client = received.RemoteEndPoint;
            if (!concurrency.Wait(0))
            {
                continue; // overloaded: drop, the client retries
            }
            _ = Task.Run(async () =>
            {
                try
                {
                    var answer = await AnswerAsync(query, overTcp: false, stopping.Token).ConfigureAwait(false);
                    if (answer is not null)
                    {
                        await udp.SendToAsync(answer, SocketFlags.None, client, stopping.Token).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                }
                finally
                {
                    concurrency.Release();
                }
            });
        }
    }

    private async Task ServeTcpAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await tcp.AcceptAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            _ = Task.Run(() => ServeConnectionAsync(connection));
        }
    }

    private async Task ServeConnectionAsync(Socket connection)
    {
        using var _ = connection;
        await using var stream = new NetworkStream(connection, ownsSocket: false);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                // An idle client gets 10 s between queries, then the connection closes (RFC 7766 §6.2.3).
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
                idle.CancelAfter(TimeSpan.FromSeconds(10));
                var query = await DnsForwarder.ReadFramedAsync(stream, idle.Token).ConfigureAwait(false);
                if (query is null)
                {
                    return;
                }
                var answer = await AnswerAsync(query, overTcp: true, stopping.Token).ConfigureAwait(false);
                if (answer is null)
                {
                    return;
                }
                await DnsForwarder.WriteFramedAsync(stream, answer, stopping.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5301, Level = LogLevel.Debug, Message = "DNS for container {ContainerId}: no upstream answered for {Name}")]
        public static partial void UpstreamFailed(ILogger logger, string containerId, string name);
    }
}
