using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Quai.Network.Ports;

/// <summary>
/// Chooses and reserves host ports for publications, all or nothing, before any network state is
/// made. A port is free when no other owner holds it and the kernel lets us bind it; we then keep
/// that socket bound (TCP: listening, never accepted — the portmap DNAT rules send the traffic to
/// the container first) so no other host program can take the port while it is published, as
/// docker-proxy does. A port published on all addresses of a host with IPv6 also holds [::]:port,
/// relayed to the container's IPv4 address once <see cref="StartIpv6Relays"/> names it.
/// Ephemeral ports come from /proc/sys/net/ipv4/ip_local_port_range.
/// </summary>
public sealed class PortAllocator : IDisposable
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<Reservation>> byOwner = new(StringComparer.Ordinal);
    private readonly (int Low, int High) ephemeralRange;
    private readonly bool ipv6;

    /// <summary>
    /// Creates an allocator; <paramref name="ephemeralRange"/> overrides the kernel's local port
    /// range; <paramref name="ipv6"/> (default: whether the host can bind [::]) publishes
    /// all-address ports on [::] too.
    /// </summary>
    public PortAllocator((int Low, int High)? ephemeralRange = null, bool? ipv6 = null)
    {
        this.ephemeralRange = ephemeralRange ?? ReadLocalPortRange();
        this.ipv6 = ipv6 ?? HostHasIpv6();
    }

    /// <summary>
    /// Starts relaying the [::] halves of <paramref name="owner"/>'s ports to
    /// <paramref name="containerAddress"/> (its IPv4 address on the network the ports are
    /// published on). Idempotent.
    /// </summary>
    public void StartIpv6Relays(string owner, IPAddress containerAddress)
    {
        ArgumentNullException.ThrowIfNull(containerAddress);
        lock (gate)
        {
            if (!byOwner.TryGetValue(owner, out var list))
            {
                return;
            }
            foreach (var r in list.Where(r => r.Socket6 is not null && r.Relay is null))
            {
                r.Relay = new CancellationTokenSource();
                var target = new IPEndPoint(containerAddress, r.Mapping.ContainerPort);
                var socket = r.Socket6!;
                var token = r.Relay.Token;
                _ = r.Mapping.Protocol == "udp"
                    ? Task.Run(() => Ipv6Proxy.RunUdpAsync(socket, target, token), CancellationToken.None)
                    : Task.Run(() => Ipv6Proxy.RunTcpAsync(socket, target, token), CancellationToken.None);
            }
        }
    }

    private static bool HostHasIpv6()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return false;
        }
        try
        {
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = false };
            probe.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reserves host ports for <paramref name="ports"/> on behalf of <paramref name="owner"/> (a
    /// container id) and returns the concrete mappings. Throws <see cref="PortAllocatedException"/>
    /// and reserves nothing when any port is taken.
    /// </summary>
    public IReadOnlyList<PortMapping> Allocate(string owner, IEnumerable<PublishedPort> ports)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(ports);
        lock (gate)
        {
            var made = new List<Reservation>();
            try
            {
                var result = new List<PortMapping>();
                foreach (var port in ports)
                {
                    var reservation = Reserve(port, made);
                    made.Add(reservation);
                    result.Add(reservation.Mapping);
                }
                if (!byOwner.TryGetValue(owner, out var list))
                {
                    byOwner[owner] = list = [];
                }
                list.AddRange(made);
                return result;
            }
            catch
            {
                foreach (var reservation in made)
                {
                    reservation.Dispose();
                }
                throw;
            }
        }
    }

    /// <summary>Releases every port held for <paramref name="owner"/>; idempotent.</summary>
    public void Release(string owner)
    {
        lock (gate)
        {
            if (byOwner.Remove(owner, out var list))
            {
                foreach (var reservation in list)
                {
                    reservation.Dispose();
                }
            }
        }
    }

    /// <summary>The mappings held for <paramref name="owner"/>.</summary>
    public IReadOnlyList<PortMapping> GetMappings(string owner)
    {
        lock (gate)
        {
            return byOwner.TryGetValue(owner, out var list) ? list.Select(r => r.Mapping).ToList() : [];
        }
    }

    /// <summary>Releases everything.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            foreach (var reservation in byOwner.Values.SelectMany(l => l))
            {
                reservation.Dispose();
            }
            byOwner.Clear();
        }
    }

    /// <summary>The kernel's ephemeral port range (ip(7) ip_local_port_range).</summary>
    public static (int Low, int High) ReadLocalPortRange()
    {
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return (32768, 60999); // the kernel's default
        }
    }

    private Reservation Reserve(PublishedPort port, List<Reservation> pending)
    {
        var displayIp = port.HostIp.Length == 0 ? "0.0.0.0" : port.HostIp;
        if (!port.IsEphemeral)
        {
            for (var candidate = port.HostPortStart; candidate <= port.HostPortEnd; candidate++)
            {
                if (TryReserve(port, candidate, pending) is { } reservation)
                {
                    return reservation;
                }
            }
            throw new PortAllocatedException(displayIp, port.HostPortText);
        }
        var (low, high) = ephemeralRange;
        var span = high - low + 1;
        var start = Random.Shared.Next(span);
        for (var i = 0; i < span; i++)
        {
            var candidate = low + (start + i) % span;
            if (TryReserve(port, candidate, pending) is { } reservation)
            {
                return reservation;
            }
        }
        throw new PortAllocatedException($"no free host port for {displayIp}:{port.PortKey} in {low}-{high}: all ports are allocated");
    }

    private Reservation? TryReserve(PublishedPort port, int hostPort, List<Reservation> pending)
    {
        foreach (var held in byOwner.Values.SelectMany(l => l).Concat(pending))
        {
            var m = held.Mapping;
            if (m.HostPort == hostPort && m.Protocol == port.Protocol && (m.HostIp.Length == 0 || port.HostIp.Length == 0 || m.HostIp == port.HostIp))
            {
                return null;
            }
        }
        var address = port.HostIp.Length == 0 ? IPAddress.Any : IPAddress.Parse(port.HostIp);
        if (port.Protocol == "sctp")
        {
            // .NET has no SCTP sockets: SCTP ports are tracked among our own owners only.
            return new Reservation(new PortMapping(port.HostIp, hostPort, port.ContainerPort, port.Protocol), new Socket(SocketType.Dgram, ProtocolType.Udp));
        }
        var socketType = port.Protocol == "udp" ? SocketType.Dgram : SocketType.Stream;
        var protocolType = port.Protocol == "udp" ? ProtocolType.Udp : ProtocolType.Tcp;
        var socket = new Socket(address.AddressFamily, socketType, protocolType);
        try
        {
            if (socketType == SocketType.Stream)
            {
                // TIME_WAIT leftovers of an earlier container must not block the port again.
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }
            socket.Bind(new IPEndPoint(address, hostPort));
            if (socketType == SocketType.Stream)
            {
                socket.Listen(1);
            }
            var socket6 = port.HostIp.Length == 0 && ipv6 ? Bind6(socketType, protocolType, hostPort) : null;
            if (socket6 is null && port.HostIp.Length == 0 && ipv6)
            {
                socket.Dispose();
                return null; // [::]:port is taken: docker-proxy could not bind it either
            }
            return new Reservation(new PortMapping(port.HostIp, hostPort, port.ContainerPort, port.Protocol) { Ipv6 = socket6 is not null }, socket) { Socket6 = socket6 };
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    private static Socket? Bind6(SocketType socketType, ProtocolType protocolType, int hostPort)
    {
        var socket = new Socket(AddressFamily.InterNetworkV6, socketType, protocolType) { DualMode = false };
        try
        {
            if (socketType == SocketType.Stream)
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }
            socket.Bind(new IPEndPoint(IPAddress.IPv6Any, hostPort));
            if (socketType == SocketType.Stream)
            {
                socket.Listen(128);
            }
            return socket;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    private sealed record Reservation(PortMapping Mapping, Socket Socket) : IDisposable
    {
        /// <summary>The [::]:port socket of an all-address publication, or null.</summary>
        public Socket? Socket6 { get; init; }

        /// <summary>Stops the [::] relay once started.</summary>
        public CancellationTokenSource? Relay { get; set; }

        public void Dispose()
        {
            Relay?.Cancel();
            Relay?.Dispose();
            Socket6?.Dispose();
            Socket.Dispose();
        }
    }
}
