using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Quai.Network.Dns;

/// <summary>
/// Sends a query to upstream servers from the daemon's own (host) network namespace, one
/// server after the other until one answers within the timeout; over UDP, or TCP for TCP clients.
/// </summary>
internal static class DnsForwarder
{
    /// <summary>The first upstream answer with the query's id, or null when none answered.</summary>
    public static async Task<byte[]?> ForwardAsync(byte[] query, bool overTcp, IReadOnlyList<IPEndPoint> upstreams, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var id = BinaryPrimitives.ReadUInt16BigEndian(query);
        foreach (var upstream in upstreams)
        {
            using var perTry = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            perTry.CancelAfter(timeout);
            try
            {
                var answer = overTcp
                    ? await ExchangeTcpAsync(query, upstream, perTry.Token).ConfigureAwait(false)
                    : await ExchangeUdpAsync(query, upstream, id, perTry.Token).ConfigureAwait(false);
                if (answer is not null)
                {
                    return answer;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // This upstream timed out: try the next (docker's resolver does the same).
            }
            catch (SocketException)
            {
            }
        }
        return null;
    }

    private static async Task<byte[]?> ExchangeUdpAsync(byte[] query, IPEndPoint upstream, ushort id, CancellationToken cancellationToken)
    {
        using var socket = new Socket(upstream.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(upstream, cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(query, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        var buffer = new byte[65535];
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            // A stray datagram with another id is not our answer (RFC 5452 §9.1).
            if (n >= 12 && BinaryPrimitives.ReadUInt16BigEndian(buffer) == id)
            {
                return buffer[..n];
            }
        }
    }

    private static async Task<byte[]?> ExchangeTcpAsync(byte[] query, IPEndPoint upstream, CancellationToken cancellationToken)
    {
        using var socket = new Socket(upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(upstream, cancellationToken).ConfigureAwait(false);
        using var stream = new NetworkStream(socket, ownsSocket: false);
        await WriteFramedAsync(stream, query, cancellationToken).ConfigureAwait(false);
        return await ReadFramedAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a TCP DNS message with its two-byte length prefix (RFC 1035 §4.2.2).</summary>
    public static async Task WriteFramedAsync(Stream stream, byte[] message, CancellationToken cancellationToken)
    {
        var framed = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed, 2);
        await stream.WriteAsync(framed, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one length-prefixed TCP DNS message, or null at end of stream.</summary>
    public static async Task<byte[]?> ReadFramedAsync(Stream stream, CancellationToken cancellationToken)
    {
        var lengthBytes = new byte[2];
        if (!await ReadExactlyOrEofAsync(stream, lengthBytes, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(lengthBytes)];
        return await ReadExactlyOrEofAsync(stream, message, cancellationToken).ConfigureAwait(false) ? message : null;
    }

    private static async Task<bool> ReadExactlyOrEofAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }
            read += n;
        }
        return true;
    }
}
