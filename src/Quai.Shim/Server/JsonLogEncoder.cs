using System.Buffers;
using System.Text;

namespace Quai.Shim.Server;

/// <summary>
/// Encodes one entry of docker's json-file log driver:
/// <c>{"log":"…","stream":"stdout","time":"…"}\n</c>, escaping as Go's encoding/json does
/// (&lt;, &gt;, &amp;, U+2028/9 as \u escapes; invalid UTF-8 as U+FFFD), so docker's readers and
/// ours see the same bytes (moby daemon/logger/jsonfilelog, jsonlog.JSONLogs).
/// </summary>
internal static class JsonLogEncoder
{
    private static ReadOnlySpan<byte> Hex => "0123456789abcdef"u8;

    /// <summary>The most bytes <see cref="Encode"/> writes for <paramref name="logLength"/> bytes of output.</summary>
    public static int MaxLength(int logLength) => (logLength * 6) + 96;

    /// <summary>Writes the entry into <paramref name="destination"/> (at least <see cref="MaxLength"/>); returns its length.</summary>
    public static int Encode(ReadOnlySpan<byte> log, bool stderr, ReadOnlySpan<byte> time, Span<byte> destination)
    {
        var i = 0;
        Put("{\"log\":\""u8, destination, ref i);
        Escape(log, destination, ref i);
        Put(stderr ? "\",\"stream\":\"stderr\",\"time\":\""u8 : "\",\"stream\":\"stdout\",\"time\":\""u8, destination, ref i);
        Put(time, destination, ref i);
        Put("\"}\n"u8, destination, ref i);
        return i;
    }

    private static void Escape(ReadOnlySpan<byte> s, Span<byte> d, ref int i)
    {
        var k = 0;
        while (k < s.Length)
        {
            var b = s[k];
            if (b < 0x80)
            {
                switch (b)
                {
                    case (byte)'"': Put("\\\""u8, d, ref i); break;
                    case (byte)'\\': Put("\\\\"u8, d, ref i); break;
                    case (byte)'\n': Put("\\n"u8, d, ref i); break;
                    case (byte)'\r': Put("\\r"u8, d, ref i); break;
                    case (byte)'\t': Put("\\t"u8, d, ref i); break;
                    case < 0x20 or (byte)'<' or (byte)'>' or (byte)'&': Unicode(b, d, ref i); break;
                    default: d[i++] = b; break;
                }
                k++;
                continue;
            }
            var status = Rune.DecodeFromUtf8(s[k..], out var rune, out var consumed);
            if (status != OperationStatus.Done)
            {
                Unicode(0xFFFD, d, ref i);
                k += Math.Max(1, consumed);
                continue;
            }
            if (rune.Value is 0x2028 or 0x2029)
            {
                Unicode(rune.Value, d, ref i);
            }
            else
            {
                s.Slice(k, consumed).CopyTo(d[i..]);
                i += consumed;
            }
            k += consumed;
        }
    }

    private static void Unicode(int c, Span<byte> d, ref int i)
    {
        d[i++] = (byte)'\\';
        d[i++] = (byte)'u';
        d[i++] = Hex[(c >> 12) & 0xF];
        d[i++] = Hex[(c >> 8) & 0xF];
        d[i++] = Hex[(c >> 4) & 0xF];
        d[i++] = Hex[c & 0xF];
    }

    private static void Put(ReadOnlySpan<byte> s, Span<byte> d, ref int i)
    {
        s.CopyTo(d[i..]);
        i += s.Length;
    }
}
