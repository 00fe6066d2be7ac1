using System.Buffers.Binary;
using System.Text;

namespace Quai.Network.Dns;

/// <summary>DNS record types and codes used by the embedded server (RFC 1035 §3.2, RFC 3596, RFC 6891).</summary>
public static class DnsConstants
{
    public const ushort TypeA = 1;
    public const ushort TypePtr = 12;
    public const ushort TypeAaaa = 28;
    public const ushort TypeOpt = 41;
    public const ushort ClassIn = 1;
    public const int RcodeNoError = 0;
    public const int RcodeFormErr = 1;
    public const int RcodeServFail = 2;
    public const int RcodeNxDomain = 3;
    public const int RcodeRefused = 5;

    /// <summary>The largest UDP answer without EDNS (RFC 1035 §4.2.1).</summary>
    public const int MaxUdpSize = 512;
}

/// <summary>A question: name (no trailing dot), type, class.</summary>
public sealed record DnsQuestion(string Name, ushort Type, ushort Class = DnsConstants.ClassIn);

/// <summary>A resource record with its RDATA as bytes (names in RDATA uncompressed).</summary>
public sealed record DnsRecord(string Name, ushort Type, ushort Class, uint Ttl, byte[] Data);

/// <summary>
/// A minimal DNS message codec (RFC 1035 §4.1): header, questions, answer/authority/additional
/// records. Parsing follows compression pointers; encoding writes names uncompressed.
/// </summary>
public sealed record DnsPacket
{
    public ushort Id { get; init; }

    /// <summary>The 16 header flag bits (QR, opcode, AA, TC, RD, RA, Z, rcode).</summary>
    public ushort Flags { get; init; }

    public IReadOnlyList<DnsQuestion> Questions { get; init; } = [];

    public IReadOnlyList<DnsRecord> Answers { get; init; } = [];

    public IReadOnlyList<DnsRecord> Authorities { get; init; } = [];

    public IReadOnlyList<DnsRecord> Additionals { get; init; } = [];

    public bool IsResponse => (Flags & 0x8000) != 0;

    public int Opcode => (Flags >> 11) & 0xF;

    public bool Authoritative => (Flags & 0x0400) != 0;

    public bool Truncated => (Flags & 0x0200) != 0;

    public bool RecursionDesired => (Flags & 0x0100) != 0;

    public bool RecursionAvailable => (Flags & 0x0080) != 0;

    public int Rcode => Flags & 0xF;

    /// <summary>The UDP payload size the client accepts: its EDNS OPT size (RFC 6891 §6.2.5) or 512.</summary>
    public int MaxUdpResponseSize
    {
        get
        {
            var opt = Additionals.FirstOrDefault(r => r.Type == DnsConstants.TypeOpt);
            return opt is null ? DnsConstants.MaxUdpSize : Math.Max(DnsConstants.MaxUdpSize, (int)opt.Class);
        }
    }

    /// <summary>A standard recursive query for one name.</summary>
    public static DnsPacket Query(ushort id, string name, ushort type) =>
        new() { Id = id, Flags = 0x0100, Questions = [new DnsQuestion(name.TrimEnd('.'), type)] };

    /// <summary>A response to <paramref name="query"/>: same id, opcode, RD and questions; RA set (docker's resolver sets it).</summary>
    public static DnsPacket ResponseTo(DnsPacket query, int rcode, IReadOnlyList<DnsRecord>? answers = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        var flags = (ushort)(0x8000 | (query.Flags & 0x7900) | 0x0080 | (rcode & 0xF));
        return new DnsPacket { Id = query.Id, Flags = flags, Questions = query.Questions, Answers = answers ?? [] };
    }

    /// <summary>Parses a message; throws <see cref="FormatException"/> on malformed input.</summary>
    public static DnsPacket Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length < 12)
        {
            throw new FormatException("DNS message shorter than its 12-byte header");
        }
        var qd = BinaryPrimitives.ReadUInt16BigEndian(data[4..]);
        var an = BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
        var ns = BinaryPrimitives.ReadUInt16BigEndian(data[8..]);
        var ar = BinaryPrimitives.ReadUInt16BigEndian(data[10..]);
        var offset = 12;
        var questions = new List<DnsQuestion>();
        for (var i = 0; i < qd; i++)
        {
            var name = ReadName(data, ref offset);
            Need(data, offset, 4);
            questions.Add(new DnsQuestion(name, BinaryPrimitives.ReadUInt16BigEndian(data[offset..]), BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..])));
            offset += 4;
        }
        return new DnsPacket
        {
            Id = BinaryPrimitives.ReadUInt16BigEndian(data),
            Flags = BinaryPrimitives.ReadUInt16BigEndian(data[2..]),
            Questions = questions,
            Answers = ReadRecords(data, ref offset, an),
            Authorities = ReadRecords(data, ref offset, ns),
            Additionals = ReadRecords(data, ref offset, ar),
        };
    }

    /// <summary>Encodes the message.</summary>
    public byte[] Encode()
    {
        using var stream = new MemoryStream(512);
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(header, Id);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], Flags);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], (ushort)Questions.Count);
        BinaryPrimitives.WriteUInt16BigEndian(header[6..], (ushort)Answers.Count);
        BinaryPrimitives.WriteUInt16BigEndian(header[8..], (ushort)Authorities.Count);
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], (ushort)Additionals.Count);
        stream.Write(header);
        Span<byte> fixedPart = stackalloc byte[10];
        foreach (var q in Questions)
        {
            WriteName(stream, q.Name);
            BinaryPrimitives.WriteUInt16BigEndian(fixedPart, q.Type);
            BinaryPrimitives.WriteUInt16BigEndian(fixedPart[2..], q.Class);
            stream.Write(fixedPart[..4]);
        }
        foreach (var r in Answers.Concat(Authorities).Concat(Additionals))
        {
            WriteName(stream, r.Name);
            BinaryPrimitives.WriteUInt16BigEndian(fixedPart, r.Type);
            BinaryPrimitives.WriteUInt16BigEndian(fixedPart[2..], r.Class);
            BinaryPrimitives.WriteUInt32BigEndian(fixedPart[4..], r.Ttl);
            BinaryPrimitives.WriteUInt16BigEndian(fixedPart[8..], (ushort)r.Data.Length);
            stream.Write(fixedPart);
            stream.Write(r.Data);
        }
        return stream.ToArray();
    }

    /// <summary>A name in wire format (labels, uncompressed), e.g. for PTR RDATA.</summary>
    public static byte[] EncodeName(string name)
    {
        using var stream = new MemoryStream();
        WriteName(stream, name);
        return stream.ToArray();
    }

    /// <summary>Reads a (possibly compressed) name at <paramref name="offset"/> of a whole message.</summary>
    public static string ReadName(ReadOnlySpan<byte> data, ref int offset)
    {
        var labels = new List<string>();
        var position = offset;
        var jumped = false;
        for (var hops = 0; ; hops++)
        {
            Need(data, position, 1);
            var length = data[position];
            if (length == 0)
            {
                position++;
                break;
            }
            if ((length & 0xC0) == 0xC0)
            {
                Need(data, position, 2);
                if (hops > 64)
                {
                    throw new FormatException("DNS name compression loop");
                }
                var target = BinaryPrimitives.ReadUInt16BigEndian(data[position..]) & 0x3FFF;
                if (!jumped)
                {
                    offset = position + 2;
                }
                jumped = true;
                position = target;
                continue;
            }
            if ((length & 0xC0) != 0)
            {
                throw new FormatException("unsupported DNS label type");
            }
            Need(data, position + 1, length);
            labels.Add(Encoding.ASCII.GetString(data.Slice(position + 1, length)));
            position += 1 + length;
        }
        if (!jumped)
        {
            offset = position;
        }
        return string.Join('.', labels);
    }

    private static List<DnsRecord> ReadRecords(ReadOnlySpan<byte> data, ref int offset, int count)
    {
        var records = new List<DnsRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var name = ReadName(data, ref offset);
            Need(data, offset, 10);
            var type = BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
            var cls = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
            var ttl = BinaryPrimitives.ReadUInt32BigEndian(data[(offset + 4)..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 8)..]);
            offset += 10;
            Need(data, offset, length);
            byte[] rdata;
            if (type == DnsConstants.TypePtr)
            {
                // Decompress the target so the record stands alone once re-encoded.
                var inner = offset;
                rdata = EncodeName(ReadName(data, ref inner));
            }
            else
            {
                rdata = data.Slice(offset, length).ToArray();
            }
            offset += length;
            records.Add(new DnsRecord(name, type, cls, ttl, rdata));
        }
        return records;
    }

    private static void WriteName(Stream stream, string name)
    {
        var trimmed = name.TrimEnd('.');
        if (trimmed.Length > 0)
        {
            foreach (var label in trimmed.Split('.'))
            {
                var bytes = Encoding.ASCII.GetBytes(label);
                if (bytes.Length is 0 or > 63)
                {
                    throw new FormatException($"invalid DNS label in '{name}'");
                }
                stream.WriteByte((byte)bytes.Length);
                stream.Write(bytes);
            }
        }
        stream.WriteByte(0);
    }

    private static void Need(ReadOnlySpan<byte> data, int offset, int count)
    {
        if (offset < 0 || offset + count > data.Length)
        {
            throw new FormatException("DNS message truncated");
        }
    }
}
