using System.Buffers;
using System.Globalization;
using System.Text;

namespace Quai.Api.Http;

/// <summary>Builds a response head (status line and header fields, RFC 9112 §4-§5) into a pooled buffer.</summary>
internal sealed class ResponseHead : IDisposable
{
    private static DateStamp? s_date;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1024);

    /// <summary>The bytes written so far.</summary>
    public int Length { get; private set; }

    /// <summary>The buffer (valid up to <see cref="Length"/>).</summary>
    public byte[] Buffer => _buffer;

    /// <summary>The IMF-fixdate of now (RFC 9110 §5.6.7), recomputed once a second.</summary>
    public static string Date
    {
        get
        {
            var now = DateTime.UtcNow;
            var second = now.Ticks / TimeSpan.TicksPerSecond;
            var cached = s_date;
            if (cached is null || cached.Second != second)
            {
                cached = new DateStamp(second, now.ToString("r", CultureInfo.InvariantCulture));
                s_date = cached;
            }
            return cached.Text;
        }
    }

    /// <summary>Appends <c>HTTP/1.1 status reason</c>.</summary>
    public void StatusLine(int status, string? reason = null)
    {
        Append("HTTP/1.1 ");
        Append(status.ToString(CultureInfo.InvariantCulture));
        Append(" ");
        Append(reason ?? StatusPhrases.Get(status));
        Append("\r\n");
    }

    /// <summary>Appends one header field, refusing a name or value that would break the framing.</summary>
    public void Header(string name, string value)
    {
        foreach (var c in name)
        {
            if (c <= ' ' || c >= 0x7f || c == ':')
            {
                throw new InvalidOperationException($"invalid response header name \"{name}\"");
            }
        }
        foreach (var c in value)
        {
            if (c is '\r' or '\n' or '\0' || c > 0xff)
            {
                throw new InvalidOperationException($"invalid character in the value of response header \"{name}\": CR, LF, NUL and non-Latin-1 characters would break HTTP framing");
            }
        }
        Append(name);
        Append(": ");
        Append(value);
        Append("\r\n");
    }

    /// <summary>Appends the empty line that ends the head.</summary>
    public void End() => Append("\r\n");

    /// <summary>Appends raw bytes (a first body chunk sent with the head).</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(Length));
        Length += bytes.Length;
    }

    /// <summary>Appends Latin-1 text.</summary>
    public void Append(string text)
    {
        Ensure(text.Length);
        Length += Encoding.Latin1.GetBytes(text, _buffer.AsSpan(Length));
    }

    public void Dispose()
    {
        var b = _buffer;
        _buffer = [];
        if (b.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(b);
        }
    }

    private sealed record DateStamp(long Second, string Text);

    private void Ensure(int more)
    {
        if (Length + more <= _buffer.Length)
        {
            return;
        }
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, Length + more));
        _buffer.AsSpan(0, Length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
