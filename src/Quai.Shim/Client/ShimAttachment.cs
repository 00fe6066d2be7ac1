using System.Net.Sockets;

namespace Quai.Shim.Client;

/// <summary>
/// An attach connection after the shim's ok line: read <see cref="ShimFrame"/>s from
/// <see cref="Stream"/>, write stdin bytes to it, half-close with <see cref="CloseStdinAsync"/>.
/// </summary>
public sealed class ShimAttachment : IDisposable, IAsyncDisposable
{
    private readonly Socket _socket;

    internal ShimAttachment(Socket socket)
    {
        _socket = socket;
        Stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>The connection: frames in, raw stdin bytes out.</summary>
    public Stream Stream { get; }

    /// <summary>Half-closes the connection (shutdown(SHUT_WR)): the shim sees end of input and, with --stdin-once, closes the process's stdin. Output keeps coming.</summary>
    public Task CloseStdinAsync()
    {
        _socket.Shutdown(SocketShutdown.Send);
        return Task.CompletedTask;
    }

    public void Dispose() => Stream.Dispose();

    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}
