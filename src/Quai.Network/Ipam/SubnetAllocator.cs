using System.Globalization;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Quai.Network.Ipam;

/// <summary>A pool of subnets to carve networks from (daemon.json <c>default-address-pools</c>: {base, size}).</summary>
public sealed record AddressPool(Ipv4Network Base, int Size)
{
    /// <summary>Parses base "172.17.0.0/16" and size 16; throws when the size is shorter than the base.</summary>
    public static AddressPool Parse(string baseCidr, int size)
    {
        var network = Ipv4Network.Parse(baseCidr);
        if (size < network.PrefixLength || size > 30)
        {
            throw new ArgumentException($"invalid default-address-pools entry {baseCidr} size {size}: size must be between the base's prefix ({network.PrefixLength}) and 30");
        }
        return new AddressPool(network, size);
    }
}

/// <summary>
/// Picks the subnet of a new network (docker network create without --subnet): the first
/// subnet of the pools that overlaps neither another network nor a host route or interface
/// address (moby's ipamutils default pools and netutils route-overlap check).
/// </summary>
public sealed class SubnetAllocator
{
    /// <summary>docker's default pools: 172.17-31.0.0/16 as /16s, then 192.168.0.0/16 as /20s.</summary>
    public static readonly IReadOnlyList<AddressPool> DockerDefaultPools =
    [
        .. Enumerable.Range(17, 15).Select(i => AddressPool.Parse($"172.{i}.0.0/16", 16)),
        AddressPool.Parse("192.168.0.0/16", 20),
    ];

    private readonly IReadOnlyList<AddressPool> pools;
    private readonly Func<IReadOnlyList<Ipv4Network>> hostNetworks;

    /// <summary>
    /// Creates an allocator over <paramref name="pools"/> (docker's defaults when null);
    /// <paramref name="hostNetworks"/> lists what the host already routes (read from the kernel when null).
    /// </summary>
    public SubnetAllocator(IReadOnlyList<AddressPool>? pools = null, Func<IReadOnlyList<Ipv4Network>>? hostNetworks = null)
    {
        this.pools = pools ?? DockerDefaultPools;
        this.hostNetworks = hostNetworks ?? ReadHostNetworks;
    }

    /// <summary>The first free subnet; throws docker's error when every pool is exhausted.</summary>
    public Ipv4Network Allocate(IEnumerable<Ipv4Network> inUse)
    {
        ArgumentNullException.ThrowIfNull(inUse);
        var taken = inUse.Concat(hostNetworks()).ToList();
        foreach (var pool in pools)
        {
            var count = 1UL << (pool.Size - pool.Base.PrefixLength);
            var step = 1UL << (32 - pool.Size);
            for (ulong i = 0; i < count; i++)
            {
                var candidate = new Ipv4Network((uint)(pool.Base.Network + (i * step)), pool.Size);
                if (!taken.Any(t => t.Overlaps(candidate)))
                {
                    return candidate;
                }
            }
        }
        throw new InvalidOperationException("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network");
    }

    /// <summary>
    /// Networks the host already uses: IPv4 routes other than the default route
    /// (/proc/net/route, proc(5)) and the subnets of interface addresses.
    /// </summary>
    public static IReadOnlyList<Ipv4Network> ReadHostNetworks()
    {
        var result = new List<Ipv4Network>();
        try
        {
            foreach (var line in File.ReadLines("/proc/net/route").Skip(1))
            {
                var f = line.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 8)
                {
                    continue;
                }
                // Destination and Mask are hex in the kernel's (little-endian) byte order.
                var destination = uint.Parse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                var mask = uint.Parse(f[7], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (mask == 0)
                {
                    continue;
                }
                var prefix = System.Numerics.BitOperations.PopCount(mask);
                result.Add(new Ipv4Network(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(destination), prefix));
            }
        }
        catch (IOException)
        {
        }
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (var address in nic.GetIPProperties().UnicastAddresses)
            {
                if (address.Address.AddressFamily == AddressFamily.InterNetwork && !System.Net.IPAddress.IsLoopback(address.Address))
                {
                    result.Add(new Ipv4Network(Ipv4Network.ToUInt32(address.Address), address.PrefixLength));
                }
            }
        }
        return result;
    }
}
