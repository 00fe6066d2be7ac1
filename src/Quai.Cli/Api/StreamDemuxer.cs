using System.Buffers.Binary;

namespace Quai.Cli.Api;

/// <summary>
/// Splits docker's multiplexed attach/logs stream (no TTY): frames of an 8-byte header
/// [stream type, 0, 0, 0, size as big-endian uint32] then size bytes; type 0 stdin and 1 go to
/// stdout, 2 to stderr, 3 is a daemon-side error (docker's stdcopy.StdCopy).
/// </summary>
public static class StreamDemuxer
{
    /// <summary>Copies frames from <paramref name="source"/> until EOF; returns the bytes written.</summary>
    /// <exception cref="IOException">A systemerr frame (its text), or a truncated frame.</exception>
    public static async Task<long> CopyAsync(Stream source, Stream stdout, Stream stderr, CancellationToken ct = default)
    {
        var header = new byte[8];
        var buf = new byte[32 * 1024];
        long total = 0;
        while (true)
        {
            var got = await ReadFullAsync(source, header, ct).ConfigureAwait(false);
            if (got == 0)
            {
                return total;
            }
            if (got < 8)
            {
                throw new IOException("unexpected EOF in a multiplexed stream header");
            }
            var type = header[0];
            var size = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
            Stream? target = type switch
            {
                0 or 1 => stdout,
                2 => stderr,
                3 => null,
                _ => throw new IOException($"unrecognized stream type {type} in a multiplexed stream"),
            };
            var error = type == 3 ? new MemoryStream() : null;
            var left = size;
            while (left > 0)
            {
                var n = await source.ReadAsync(buf.AsMemory(0, (int)Math.Min(left, (uint)buf.Length)), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new IOException("unexpected EOF in a multiplexed stream frame");
                }
                if (target is not null)
                {
                    await target.WriteAsync(buf.AsMemory(0, n), ct).ConfigureAwait(false);
                }
                else
                {
                    error!.Write(buf, 0, n);
                }
                left -= (uint)n;
                total += n;
            }
            if (error is not null)
            {
                throw new IOException(System.Text.Encoding.UTF8.GetString(error.ToArray()));
            }
            await (target ?? stdout).FlushAsync(ct).ConfigureAwait(false);
        }
    }

    private static async Task<int> ReadFullAsync(Stream s, byte[] buf, CancellationToken ct)
    {
        var off = 0;
        while (off < buf.Length)
        {
            var n = await s.ReadAsync(buf.AsMemory(off), ct).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }
            off += n;
        }
        return off;
    }
}
