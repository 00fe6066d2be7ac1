using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Quai.Oci;

namespace Quai.Images.Layers;

/// <summary>
/// Writes a PAX tar (POSIX pax(1), ustar header plus 'x' extended headers when a field does not fit
/// or xattrs are present). Written by hand instead of System.Formats.Tar because PAX values there are
/// strings, and xattrs such as security.capability are binary. The sha256 of everything written is
/// the layer's diff ID.
/// </summary>
internal sealed class TarEntryWriter
{
    private const int Block = 512;
    private readonly Stream _output;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public TarEntryWriter(Stream output)
    {
        _output = output;
    }

    /// <summary>Bytes written so far.</summary>
    public long Length { get; private set; }

    public async Task WriteAsync(TarHeaderInfo entry, Stream? data, CancellationToken cancellationToken)
    {
        var pax = new List<KeyValuePair<string, byte[]>>();
        var nameBytes = Encoding.UTF8.GetBytes(entry.Name);
        var linkBytes = Encoding.UTF8.GetBytes(entry.LinkName);
        if (nameBytes.Length > 100 || !Ascii(nameBytes))
        {
            pax.Add(new("path", nameBytes));
        }
        if (linkBytes.Length > 100 || !Ascii(linkBytes))
        {
            pax.Add(new("linkpath", linkBytes));
        }
        if (entry.Size > 077777777777L)
        {
            pax.Add(new("size", Encoding.ASCII.GetBytes(entry.Size.ToString(CultureInfo.InvariantCulture))));
        }
        if (entry.Uid > 07777777)
        {
            pax.Add(new("uid", Encoding.ASCII.GetBytes(entry.Uid.ToString(CultureInfo.InvariantCulture))));
        }
        if (entry.Gid > 07777777)
        {
            pax.Add(new("gid", Encoding.ASCII.GetBytes(entry.Gid.ToString(CultureInfo.InvariantCulture))));
        }
        foreach (var (key, value) in entry.Xattrs)
        {
            pax.Add(new("SCHILY.xattr." + key, value));
        }
        if (pax.Count > 0)
        {
            var records = PaxRecords(pax);
            var paxName = "PaxHeaders.0/" + Path.GetFileName(entry.Name.TrimEnd('/'));
            await WriteBlockAsync(Header(Truncate(paxName), 'x', "", 0x1A4, 0, 0, records.Length, entry.MtimeSeconds, 0, 0), cancellationToken).ConfigureAwait(false);
            await WritePaddedAsync(records, cancellationToken).ConfigureAwait(false);
        }
        await WriteBlockAsync(Header(Truncate(entry.Name), entry.Type, Truncate(entry.LinkName), entry.Mode, Math.Min(entry.Uid, 07777777), Math.Min(entry.Gid, 07777777), entry.Size > 077777777777L ? 0 : entry.Size, entry.MtimeSeconds, entry.DevMajor, entry.DevMinor), cancellationToken).ConfigureAwait(false);
        if (data is not null)
        {
            var buffer = new byte[1 << 16];
            long copied = 0;
            int n;
            while (copied < entry.Size && (n = await data.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, entry.Size - copied)), cancellationToken).ConfigureAwait(false)) > 0)
            {
                await WriteRawAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                copied += n;
            }
            if (copied != entry.Size)
            {
                throw new IOException($"\"{entry.Name}\" shrank while it was being archived ({copied} of {entry.Size} bytes); stop the container and retry");
            }
            await PadAsync(entry.Size, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the two zero blocks that end an archive and returns the diff ID.</summary>
    public async Task<Digest> FinishAsync(CancellationToken cancellationToken)
    {
        await WriteRawAsync(new byte[2 * Block], cancellationToken).ConfigureAwait(false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        var digest = Digest.FromHash(Digest.Sha256, _hash.GetHashAndReset());
        _hash.Dispose();
        return digest;
    }

    private static bool Ascii(byte[] b) => Array.TrueForAll(b, x => x is > 0 and < 0x80);

    private static string Truncate(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        return bytes.Length <= 100 && Ascii(bytes) ? s : Encoding.ASCII.GetString(bytes.Select(b => b < 0x80 ? b : (byte)'_').Take(100).ToArray());
    }

    /// <summary>"%d %s=%s\n" records whose length prefix counts itself (pax(1)).</summary>
    private static byte[] PaxRecords(List<KeyValuePair<string, byte[]>> records)
    {
        var output = new MemoryStream();
        foreach (var (key, value) in records)
        {
            var body = Encoding.UTF8.GetByteCount(key) + value.Length + 3; // ' ', '=', '\n'
            var length = body + 1;
            while (length.ToString(CultureInfo.InvariantCulture).Length + body != length)
            {
                length++;
            }
            output.Write(Encoding.ASCII.GetBytes(length.ToString(CultureInfo.InvariantCulture) + " " + key + "="));
            output.Write(value);
            output.WriteByte((byte)'\n');
        }
        return output.ToArray();
    }

    private static byte[] Header(string name, char type, string link, uint mode, long uid, long gid, long size, long mtime, uint major, uint minor)
    {
        var h = new byte[Block];
        Encoding.ASCII.GetBytes(name).CopyTo(h, 0);
        Octal(h, 100, 8, mode & 0xFFF);
        Octal(h, 108, 8, uid);
        Octal(h, 116, 8, gid);
        Octal(h, 124, 12, size);
        Octal(h, 136, 12, Math.Max(0, mtime));
        h[156] = (byte)type;
        Encoding.ASCII.GetBytes(link).CopyTo(h, 157);
        "ustar\0"u8.CopyTo(h.AsSpan(257));
        "00"u8.CopyTo(h.AsSpan(263));
        if (type is '3' or '4')
        {
            Octal(h, 329, 8, major);
            Octal(h, 337, 8, minor);
        }
        h.AsSpan(148, 8).Fill((byte)' ');
        var sum = 0;
        foreach (var b in h)
        {
            sum += b;
        }
        Octal(h, 148, 7, sum);
        return h;
    }

    private static void Octal(byte[] h, int offset, int length, long value) =>
        Encoding.ASCII.GetBytes(Convert.ToString(value, 8).PadLeft(length - 1, '0')).CopyTo(h, offset);

    private async Task WriteBlockAsync(byte[] block, CancellationToken cancellationToken) => await WriteRawAsync(block, cancellationToken).ConfigureAwait(false);

    private async Task WritePaddedAsync(byte[] data, CancellationToken cancellationToken)
    {
        await WriteRawAsync(data, cancellationToken).ConfigureAwait(false);
        await PadAsync(data.Length, cancellationToken).ConfigureAwait(false);
    }

    private async Task PadAsync(long size, CancellationToken cancellationToken)
    {
        var pad = (int)((Block - (size % Block)) % Block);
        if (pad > 0)
        {
            await WriteRawAsync(new byte[pad], cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WriteRawAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        _hash.AppendData(data.Span);
        Length += data.Length;
        await _output.WriteAsync(data, cancellationToken).ConfigureAwait(false);
    }
}
