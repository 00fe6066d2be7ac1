using System.Buffers.Binary;

namespace Quai.Shim.Client;

/// <summary>One frame of docker's multiplexed attach stream: stream 1 = stdout, 2 = stderr.</summary>
/// <param name="Stream">1 for stdout, 2 for stderr.</param>
/// <param name="Data">The payload.</param>
public readonly record struct ShimFrame(int Stream, byte[] Data)
{
    /// <summary>Reads the next frame (8-byte header: stream, 0, 0, 0, big-endian size); null at end of stream.</summary>
    public static async Task<ShimFrame?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = new byte[8];
        if (!await FillAsync(stream, header, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        var size = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
        var data = new byte[size];
        if (size > 0 && !await FillAsync(stream, data, cancellationToken).ConfigureAwait(false))
        {
            throw new EndOfStreamException($"attach stream ended inside a frame of {size} bytes");
        }
        return new ShimFrame(header[0], data);
    }

    private static async Task<bool> FillAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(done), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return done == 0 ? false : throw new EndOfStreamException($"attach stream ended after {done} of {buffer.Length} bytes");
            }
            done += n;
        }
        return true;
    }
}
