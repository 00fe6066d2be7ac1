using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Quai.Testing;

/// <summary>
/// The listening end of a runtime's --console-socket: an AF_UNIX stream socket on which the
/// runtime sends the pty master as SCM_RIGHTS ancillary data (runc docs/terminals.md,
/// unix(7), cmsg(3)).
/// </summary>
public sealed partial class ConsoleSocket : IDisposable
{
    private const int SolSocket = 1; // SOL_SOCKET, <asm-generic/socket.h>
    private const int ScmRights = 1; // SCM_RIGHTS, <linux/socket.h>
    private const int MsgCmsgCloexec = 0x40000000; // MSG_CMSG_CLOEXEC: the received fd must not leak into our children

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

    private unsafe nint ReceiveFd(SafeSocketHandle socket)
    {
        // runc sends the pty's name as the regular payload and one fd as ancillary data.
        var payload = stackalloc byte[4096];
        var control = stackalloc byte[64];
        var iov = new IoVec { Base = payload, Length = 4096 };
        var msg = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = 64 };
        var added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            long n;
            do
            {
                n = RecvMsg((int)socket.DangerousGetHandle(), &msg, MsgCmsgCloexec);
            }
            while (n < 0 && Marshal.GetLastPInvokeError() == 4); // EINTR
            if (n < 0)
            {
                throw new IOException($"recvmsg on the console socket {Path} failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
        if (msg.ControlLength < (nuint)sizeof(CmsgHdr))
        {
            throw new IOException($"the runtime sent no file descriptor on the console socket {Path}");
        }
        var cmsg = (CmsgHdr*)control;
        if (cmsg->Level != SolSocket || cmsg->Type != ScmRights)
        {
            throw new IOException($"the runtime sent ancillary data of level {cmsg->Level} type {cmsg->Type}, not SCM_RIGHTS, on {Path}");
        }
        return *(int*)(control + sizeof(CmsgHdr));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _listener.Dispose();
        File.Delete(Path);
    }

    /// <summary>recvmsg(2): https://man7.org/linux/man-pages/man2/recvmsg.2.html</summary>
    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static unsafe partial long RecvMsg(int sockfd, MsgHdr* msg, int flags);

    // struct iovec and struct msghdr, x86-64/arm64 LP64 layout (<bits/socket.h>).
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    // struct cmsghdr; the data follows, aligned to sizeof(size_t) (CMSG_DATA).
    [StructLayout(LayoutKind.Sequential)]
    private struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }
}
