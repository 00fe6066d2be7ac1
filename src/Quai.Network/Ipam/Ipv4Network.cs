using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Quai.Network.Ipam;

/// <summary>An IPv4 network in CIDR form (address masked to the prefix), e.g. 10.199.3.0/24.</summary>
public readonly record struct Ipv4Network
{
    /// <summary>Creates the network containing <paramref name="address"/> with <paramref name="prefixLength"/> bits.</summary>
    public Ipv4Network(uint address, int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, 32);
        PrefixLength = prefixLength;
        Network = address & MaskOf(prefixLength);
    }

    /// <summary>The network address as a host-order integer.</summary>
    public uint Network { get; }

    /// <summary>The prefix length (0-32).</summary>
    public int PrefixLength { get; }

    /// <summary>The netmask as a host-order integer.</summary>
    public uint Mask => MaskOf(PrefixLength);

    /// <summary>The last address (broadcast) as a host-order integer.</summary>
    public uint Last => Network | ~Mask;

    /// <summary>Number of addresses.</summary>
    public ulong Size => 1UL << (32 - PrefixLength);

    /// <summary>The network address.</summary>
    public IPAddress NetworkAddress => ToAddress(Network);

    /// <summary>The first usable host (network + 1), docker's default gateway.</summary>
    public IPAddress FirstHost => ToAddress(PrefixLength >= 31 ? Network : Network + 1);

    /// <summary>Parses "a.b.c.d/n"; throws naming the text when it is not an IPv4 CIDR.</summary>
    public static Ipv4Network Parse(string cidr)
    {
        if (!TryParse(cidr, out var network))
        {
            throw new FormatException($"invalid IPv4 subnet '{cidr}': expected a.b.c.d/n");
        }
        return network;
    }

    /// <summary>Parses "a.b.c.d/n" (or a bare address as /32).</summary>
    public static bool TryParse(string? cidr, out Ipv4Network network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(cidr))
        {
            return false;
        }
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? cidr : cidr[..slash];
        var prefix = 32;
        if (slash >= 0 && (!int.TryParse(cidr.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > 32))
        {
            return false;
        }
        if (!IPAddress.TryParse(addressText, out var address) || address.AddressFamily != AddressFamily.InterNetwork || addressText.Count(c => c == '.') != 3)
        {
            return false;
        }
        network = new Ipv4Network(ToUInt32(address), prefix);
        return true;
    }

    /// <summary>True when <paramref name="address"/> is inside this network.</summary>
    public bool Contains(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork && (ToUInt32(address) & Mask) == Network;

    /// <summary>True when <paramref name="other"/> lies entirely inside this network.</summary>
    public bool Contains(Ipv4Network other) => other.PrefixLength >= PrefixLength && (other.Network & Mask) == Network;

    /// <summary>True when the two networks share any address.</summary>
    public bool Overlaps(Ipv4Network other) => Contains(other) || other.Contains(this);

    /// <summary>The address at <paramref name="offset"/> from the network address.</summary>
    public IPAddress AddressAt(uint offset) => ToAddress(Network + offset);

    /// <summary>"a.b.c.d/n".</summary>
    public override string ToString() => $"{NetworkAddress}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>An IPv4 address as a host-order integer.</summary>
    public static uint ToUInt32(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[4];
        if (!address.TryWriteBytes(bytes, out var written) || written != 4)
        {
            throw new ArgumentException($"'{address}' is not an IPv4 address", nameof(address));
        }
        return (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
    }

    /// <summary>A host-order integer as an IPv4 address.</summary>
    public static IPAddress ToAddress(uint value) =>
        new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);

    private static uint MaskOf(int prefixLength) => prefixLength == 0 ? 0 : uint.MaxValue << (32 - prefixLength);
}
