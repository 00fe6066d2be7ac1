using System.Runtime.InteropServices;
using System.Text;
using Quai.Linux.Interop;

namespace Quai.Linux;

/// <summary>Unix-domain socket helpers: socket pairs, connecting by path, passing fds with SCM_RIGHTS (unix(7), cmsg(3)).</summary>
public static unsafe class UnixSocket
{
    private const int SockaddrUnSize = 110;

    /// <summary>A connected AF_UNIX stream pair, both ends close-on-exec.</summary>
    public static (FileDescriptorHandle A, FileDescriptorHandle B) Pair()
    {
        int* sv = stackalloc int[2];
        LinuxException.ThrowIfError(Libc.Socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, sv), "socketpair");
        return (new FileDescriptorHandle(sv[0]), new FileDescriptorHandle(sv[1]));
    }

    /// <summary>Connects a close-on-exec stream socket to the socket file at <paramref name="path"/>.</summary>
    public static FileDescriptorHandle Connect(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length >= SockaddrUnSize - 2)
        {
            throw new ArgumentException($"socket path {path} is longer than {SockaddrUnSize - 3} bytes (unix(7) sun_path limit): use a shorter path", nameof(path));
        }
        var fd = new FileDescriptorHandle(LinuxException.ThrowIfError(Libc.Socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0), "socket", path));
        var addr = new Libc.SockaddrUn { Family = Libc.AF_UNIX };
        bytes.CopyTo(new Span<byte>(addr.Path, 108));
        if (Libc.Connect(fd.Fd, &addr, (uint)(2 + bytes.Length + 1)) == -1)
        {
            var ex = LinuxException.FromLastError("connect", path);
            fd.Dispose();
            throw ex;
        }
        return fd;
    }

    /// <summary>Sends <paramref name="fdToSend"/> over <paramref name="socket"/> with <paramref name="payload"/> as data (SCM_RIGHTS).</summary>
    public static void SendFd(int socket, int fdToSend, ReadOnlySpan<byte> payload)
    {
        var controlLen = Align(sizeof(Libc.CmsgHdr)) + Align(sizeof(int));
        byte* control = stackalloc byte[controlLen];
        new Span<byte>(control, controlLen).Clear();
        var cmsg = (Libc.CmsgHdr*)control;
        cmsg->Length = (nuint)(Align(sizeof(Libc.CmsgHdr)) + sizeof(int));
        cmsg->Level = Libc.SOL_SOCKET;
        cmsg->Type = Libc.SCM_RIGHTS;
        *(int*)(control + Align(sizeof(Libc.CmsgHdr))) = fdToSend;
        fixed (byte* data = payload)
        {
            var iov = new Libc.IoVec { Base = data, Length = (nuint)payload.Length };
            var msg = new Libc.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)controlLen };
            LinuxException.ThrowIfError((long)Libc.Sendmsg(socket, &msg, 0), "sendmsg", "SCM_RIGHTS");
        }
    }

    /// <summary>Receives one fd sent with SCM_RIGHTS (close-on-exec) and the data that came with it.</summary>
    public static (FileDescriptorHandle Fd, byte[] Payload) ReceiveFd(int socket)
    {
        var controlLen = Align(sizeof(Libc.CmsgHdr)) + Align(sizeof(int));
        byte* control = stackalloc byte[controlLen];
        new Span<byte>(control, controlLen).Clear();
        var buffer = new byte[4096];
        fixed (byte* data = buffer)
        {
            var iov = new Libc.IoVec { Base = data, Length = (nuint)buffer.Length };
            var msg = new Libc.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)controlLen };
            long n;
            do
            {
                n = Libc.Recvmsg(socket, &msg, Libc.MSG_CMSG_CLOEXEC);
            }
            while (n == -1 && Marshal.GetLastPInvokeError() == Errnos.EINTR);
            LinuxException.ThrowIfError(n, "recvmsg", "SCM_RIGHTS");
            var cmsg = (Libc.CmsgHdr*)control;
            if (msg.ControlLength < (nuint)sizeof(Libc.CmsgHdr) || cmsg->Level != Libc.SOL_SOCKET || cmsg->Type != Libc.SCM_RIGHTS)
            {
                throw new IOException("recvmsg: the peer sent no file descriptor (expected SCM_RIGHTS)");
            }
            var fd = *(int*)(control + Align(sizeof(Libc.CmsgHdr)));
            return (new FileDescriptorHandle(fd), buffer.AsSpan(0, (int)n).ToArray());
        }
    }

    private static int Align(int n) => (n + 7) & ~7;
}
