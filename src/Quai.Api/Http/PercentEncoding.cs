using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Quai.Api.Http;

/// <summary>Percent-decoding of paths and query components (RFC 3986 §2.1), strict like Go's net/url.</summary>
internal static class PercentEncoding
{
    /// <summary>Decodes %XX escapes (and '+' as space in a query) to UTF-8 text; false on a malformed escape.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, bool plusIsSpace, [NotNullWhen(true)] out string? decoded)
    {
        if (text.IndexOfAny('%', '+') < 0)
        {
            decoded = text.ToString();
            return true;
        }
        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(text.Length)];
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length || !IsHex(text[i + 1]) || !IsHex(text[i + 2]))
                {
                    decoded = null;
                    return false;
                }
                bytes[n++] = (byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]));
                i += 2;
            }
            else if (c == '+' && plusIsSpace)
            {
                bytes[n++] = (byte)' ';
            }
            else
            {
                n += Encoding.UTF8.GetBytes(text.Slice(i, 1), bytes.AsSpan(n));
            }
        }
        decoded = Encoding.UTF8.GetString(bytes, 0, n);
        return true;
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
