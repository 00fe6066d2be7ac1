using System.Globalization;
using Quai.Linux.Interop;

namespace Quai.Shim;

/// <summary>RFC 3339 timestamps with nanoseconds in UTC, as Go's time.RFC3339Nano writes docker's json-file logs.</summary>
public static class Rfc3339
{
    /// <summary>Writes the current real time (clock_gettime(CLOCK_REALTIME), nanoseconds) into <paramref name="destination"/>; returns the length (30).</summary>
    public static unsafe int FormatNow(Span<byte> destination)
    {
        Libc.Timespec ts;
        if (Libc.ClockGettime(Libc.CLOCK_REALTIME, &ts) != 0)
        {
            var now = DateTime.UtcNow;
            ts.Sec = (long)(now - DateTime.UnixEpoch).TotalSeconds;
            ts.Nsec = (now.Ticks % TimeSpan.TicksPerSecond) * 100;
        }
        return Format(ts.Sec, ts.Nsec, destination);
    }

    /// <summary>Formats Unix time <paramref name="seconds"/>.<paramref name="nanoseconds"/> as yyyy-MM-ddTHH:mm:ss.fffffffffZ.</summary>
    public static int Format(long seconds, long nanoseconds, Span<byte> destination)
    {
        var t = DateTime.UnixEpoch.AddSeconds(seconds);
        var i = 0;
        Digits(destination, ref i, t.Year, 4);
        destination[i++] = (byte)'-';
        Digits(destination, ref i, t.Month, 2);
        destination[i++] = (byte)'-';
        Digits(destination, ref i, t.Day, 2);
        destination[i++] = (byte)'T';
        Digits(destination, ref i, t.Hour, 2);
        destination[i++] = (byte)':';
        Digits(destination, ref i, t.Minute, 2);
        destination[i++] = (byte)':';
        Digits(destination, ref i, t.Second, 2);
        destination[i++] = (byte)'.';
        Digits(destination, ref i, (int)nanoseconds, 9);
        destination[i++] = (byte)'Z';
        return i;
    }

    /// <summary>The current time as a string.</summary>
    public static string Now()
    {
        Span<byte> buffer = stackalloc byte[32];
        var n = FormatNow(buffer);
        return System.Text.Encoding.ASCII.GetString(buffer[..n]);
    }

    /// <summary>
    /// Parses an RFC 3339 timestamp with any number of fraction digits (.NET keeps 7: the rest is
    /// cut, not rounded).
    /// </summary>
    public static DateTimeOffset Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }
            if (end - dot - 1 > 7)
            {
                text = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
            }
        }
        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
    }

    private static void Digits(Span<byte> destination, ref int i, int value, int width)
    {
        for (var k = width - 1; k >= 0; k--)
        {
            destination[i + k] = (byte)('0' + (value % 10));
            value /= 10;
        }
        i += width;
    }
}
