using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Quai.Linux.Interop;

namespace Quai.Runtime.Tests.Security;

/// <summary>
/// A minimal seccomp notification agent for tests (seccomp_unotify(2)): listens on a unix
/// socket, receives the container process state and the notification fd (SCM_RIGHTS), and
/// answers one notification with an errno.
/// </summary>
internal sealed unsafe class SeccompAgent : IDisposable
{
    // _IOWR('!', 0, struct seccomp_notif) and _IOWR('!', 1, struct seccomp_notif_resp), linux/seccomp.h.
    private const nuint SeccompIoctlNotifRecv = 0xc0502100;
    private const nuint SeccompIoctlNotifSend = 0xc0182101;

    private readonly Socket socket;

    public SeccompAgent(string path)
    {
        Path = path;
        socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen(1);
    }

    /// <summary>The socket's path (linux.seccomp.listenerPath).</summary>
    public string Path { get; }

    /// <summary>Accepts the runtime's connection and reads the state and the notification fd.</summary>
    public (string State, int NotifyFd) Receive()
    {
        // A probe that fails before connecting must fail the test, not hang it.
        if (!socket.Poll(TimeSpan.FromSeconds(20), SelectMode.SelectRead))
        {
            throw new TimeoutException($"nobody connected to {Path} within 20 s");
        }
        using var connection = socket.Accept();
        var fd = (int)connection.Handle;
        var buffer = new byte[65536];
        var control = stackalloc byte[24];
        var received = 0;
        var notifyFd = -1;
        fixed (byte* data = buffer)
        {
            while (true)
            {
                new Span<byte>(control, 24).Clear();
                var iov = new Libc.IoVec { Base = data + received, Length = (nuint)(buffer.Length - received) };
                var message = new Libc.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = 24 };
                var n = Libc.Recvmsg(fd, &message, 0);
                if (n < 0)
                {
                    throw new IOException($"recvmsg: errno {Marshal.GetLastPInvokeError()}");
                }
                if (n == 0)
                {
                    break;
                }
                if (message.ControlLength >= 20 && *(int*)(control + 8) == 1 && *(int*)(control + 12) == 1)
                {
                    notifyFd = *(int*)(control + 16);
                }
                received += (int)n;
            }
        }
        return (Encoding.UTF8.GetString(buffer, 0, received), notifyFd);
    }

    /// <summary>Waits (10 s at most) for one notification and makes that syscall fail with <paramref name="errno"/>; returns the syscall number.</summary>
    public static int AnswerOne(int notifyFd, int errno)
    {
        var poll = new Libc.PollFd { Fd = notifyFd, Events = Libc.POLLIN };
        if (Libc.Poll(&poll, 1, 10_000) != 1)
        {
            throw new TimeoutException("no seccomp notification within 10 s");
        }
        var request = stackalloc byte[80];
        new Span<byte>(request, 80).Clear();
        if (Libc.Ioctl(notifyFd, SeccompIoctlNotifRecv, request) != 0)
        {
            throw new IOException($"SECCOMP_IOCTL_NOTIF_RECV: errno {Marshal.GetLastPInvokeError()}");
        }
        var id = *(ulong*)request;
        var syscall = *(int*)(request + 16); // seccomp_notif.data.nr
        var response = stackalloc byte[24];
        new Span<byte>(response, 24).Clear();
        *(ulong*)response = id;
        *(int*)(response + 16) = -errno;
        if (Libc.Ioctl(notifyFd, SeccompIoctlNotifSend, response) != 0)
        {
            throw new IOException($"SECCOMP_IOCTL_NOTIF_SEND: errno {Marshal.GetLastPInvokeError()}");
        }
        return syscall;
    }

    /// <summary>Closes a received fd.</summary>
    public static void CloseFd(int fd) => Libc.Close(fd);

    public void Dispose()
    {
        socket.Dispose();
        File.Delete(Path);
    }
}
