using System.Globalization;
using System.Text;

namespace Quai.Images.Tests.Layers;

/// <summary>Hand-built ustar/PAX archives for what TarWriter cannot express (binary PAX values, bogus sizes).</summary>
internal static class RawTar
{
    public static byte[] Header(string name, char type, long size, int mode = 0x1A4)
    {
        var h = new byte[512];
        Encoding.ASCII.GetBytes(name).CopyTo(h, 0);
        Octal(h, 100, 8, mode);
        Octal(h, 108, 8, 0);
        Octal(h, 116, 8, 0);
        Octal(h, 124, 12, size);
        Octal(h, 136, 12, 1_600_000_000);
        h[156] = (byte)type;
        "ustar\0"u8.CopyTo(h.AsSpan(257));
        "00"u8.CopyTo(h.AsSpan(263));
        for (var i = 148; i < 156; i++)
        {
            h[i] = (byte)' ';
        }
        var sum = h.Sum(b => (int)b);
        Octal(h, 148, 7, sum);
        return h;
    }

    private static void Octal(byte[] h, int offset, int length, long value)
    {
        var s = Convert.ToString(value, 8).PadLeft(length - 1, '0');
        Encoding.ASCII.GetBytes(s).CopyTo(h, offset);
    }

    public static byte[] Padded(byte[] data) => data.Concat(new byte[(512 - (data.Length % 512)) % 512]).ToArray();

    public static byte[] WithPaxXattr(string name, string xattr, byte[] value, string content)
    {
        var key = Encoding.UTF8.GetBytes($"SCHILY.xattr.{xattr}=");
        var bodyLength = key.Length + value.Length + 2; // space and newline
        var length = bodyLength + bodyLength.ToString(CultureInfo.InvariantCulture).Length;
        if (length.ToString(CultureInfo.InvariantCulture).Length != bodyLength.ToString(CultureInfo.InvariantCulture).Length)
        {
            length++;
        }
        var record = Encoding.ASCII.GetBytes(length.ToString(CultureInfo.InvariantCulture) + " ").Concat(key).Concat(value).Concat("\n"u8.ToArray()).ToArray();
        var data = Encoding.UTF8.GetBytes(content);
        return Header("PaxHeaders/" + name, 'x', record.Length)
            .Concat(Padded(record))
            .Concat(Header(name, '0', data.Length))
            .Concat(Padded(data))
            .Concat(new byte[1024])
            .ToArray();
    }
}
