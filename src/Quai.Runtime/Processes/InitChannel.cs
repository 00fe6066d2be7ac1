using System.Buffers.Binary;
using System.Text;
using Quai.Linux;
using Quai.Linux.Interop;

namespace Quai.Runtime.Processes;

/// <summary>
/// The parent ↔ init socket: frames of [type:1][length:4, little-endian][payload]. Small and
/// synchronous; the init side owns fd 3 (or 3+preserve-fds), the parent one end of a socketpair.
/// </summary>
public sealed class InitChannel : IDisposable
{
    private const int MaxPayload = 16 << 20;
    private readonly FileDescriptorHandle _fd;

    public InitChannel(FileDescriptorHandle fd) => _fd = fd;

    /// <summary>Sends one frame.</summary>
    public void Send(InitMessage type, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = (byte)type;
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(1), payload.Length);
        payload.CopyTo(frame.AsSpan(5));
        FdIo.WriteAll(_fd.Fd, frame, "init socket");
    }

    /// <summary>Sends a frame with a UTF-8 string payload.</summary>
    public void Send(InitMessage type, string text = "") => Send(type, Encoding.UTF8.GetBytes(text));

    /// <summary>Receives one frame; null when the peer closed the socket (it exited).</summary>
    public (InitMessage Type, byte[] Payload)? Receive()
    {
        Span<byte> header = stackalloc byte[5];
        if (!FdIo.ReadExact(_fd.Fd, header, "init socket"))
        {
            return null;
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(header[1..]);
        if (length is < 0 or > MaxPayload)
        {
            throw new IOException($"init socket: bad frame length {length}");
        }
        var payload = new byte[length];
        if (length > 0 && !FdIo.ReadExact(_fd.Fd, payload, "init socket"))
        {
            throw new EndOfStreamException("init socket: closed mid-frame");
        }
        return ((InitMessage)header[0], payload);
    }

    /// <summary>Waits for <paramref name="expected"/>; an Error frame or EOF becomes an exception.</summary>
    public byte[] Expect(InitMessage expected)
    {
        var frame = Receive() ?? throw new RuntimeException($"the runtime closed the init socket while the init waited for {expected}");
        return frame.Type == InitMessage.Error
            ? throw new RuntimeException(Encoding.UTF8.GetString(frame.Payload))
            : frame.Type == expected ? frame.Payload : throw new RuntimeException($"init protocol: expected {expected}, got {frame.Type}");
    }

    public void Dispose() => _fd.Dispose();
}
