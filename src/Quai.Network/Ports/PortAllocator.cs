using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Quai.Network.Ports;

/// <summary>
/// Chooses and reserves host ports for publications, all or nothing, before any network state is
/// made. A port is free when no other owner holds it and the kernel lets us bind it; we then keep
/// that socket bound (TCP: listening, never accepted — the portmap DNAT rules send the traffic to
/// the container first) so no other host program can take the port while it is published, as
/// docker-proxy does. Ephemeral ports come from /proc/sys/net/ipv4/ip_local_port_range.
/// </summary>
public sealed class PortAllocator : IDisposable
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<Reservation>> byOwner = new(StringComparer.Ordinal);
    private readonly (int Low, int High) ephemeralRange;

    /// <summary>Creates an allocator; <paramref name="ephemeralRange"/> overrides the kernel's local port range.</summary>
    public PortAllocator((int Low, int High)? ephemeralRange = null)
    {
        this.ephemeralRange = ephemeralRange ?? ReadLocalPortRange();
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
                    reservation.Socket.Dispose();
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
                    reservation.Socket.Dispose();
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
                reservation.Socket.Dispose();
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
            return new Reservation(new PortMapping(port.HostIp, hostPort, port.ContainerPort, port.Protocol), socket);
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    private sealed record Reservation(PortMapping Mapping, Socket Socket);
}
