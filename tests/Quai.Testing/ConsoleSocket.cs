using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;
using Quai.Linux;

namespace Quai.Testing;

/// <summary>
/// The listening end of a runtime's --console-socket: an AF_UNIX stream socket on which the
/// runtime sends the pty master as SCM_RIGHTS ancillary data (runc docs/terminals.md,
/// unix(7), cmsg(3)), received through Quai.Linux's UnixSocket.ReceiveFd.
/// </summary>
public sealed class ConsoleSocket : IDisposable
{
    private readonly Socket _listener;

    /// <summary>Binds and listens on <paramref name="path"/>.</summary>
    public ConsoleSocket(string path)
    {
        Path = path;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(1);
    }

    /// <summary>The socket's path, for --console-socket.</summary>
    public string Path { get; }

    /// <summary>
    /// Accepts the runtime's connection and returns the pty master it sends, or throws when no
    /// runtime connects within <paramref name="timeout"/> or the message carries no fd.
    /// </summary>
    public SafeFileHandle ReceiveMaster(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        Socket conn;
        try
        {
            conn = _listener.AcceptAsync(cts.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no runtime connected to the console socket {Path} within {timeout.TotalSeconds} s");
        }
        using (conn)
        {
            return new SafeFileHandle(ReceiveFd(conn.SafeHandle), ownsHandle: true);
        }
    }

    private nint ReceiveFd(SafeSocketHandle socket)
    {
        // runc's protocol: the pty's name as the payload, one fd as SCM_RIGHTS ancillary data.
        var added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            var (fd, _) = UnixSocket.ReceiveFd((int)socket.DangerousGetHandle());
            var raw = fd.DangerousGetHandle();
            fd.SetHandleAsInvalid(); // ownership moves to the SafeFileHandle the caller gets
            return raw;
        }
        catch (IOException e)
        {
            throw new IOException($"console socket {Path}: {e.Message}", e);
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _listener.Dispose();
        File.Delete(Path);
    }
}
