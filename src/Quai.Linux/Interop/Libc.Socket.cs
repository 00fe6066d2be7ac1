using System.Runtime.InteropServices;

namespace Quai.Linux.Interop;

// Unix sockets for the init handshake (socketpair) and receiving fds (runc's console-socket protocol).
// socket, connect, sendmsg and the msghdr structs are in Libc.Sockets.cs.
public static unsafe partial class Libc
{
    public const int MSG_CMSG_CLOEXEC = 0x40000000;

    /// <summary>socketpair(2): https://man7.org/linux/man-pages/man2/socketpair.2.html (pass SOCK_CLOEXEC).</summary>
    [LibraryImport(Name, EntryPoint = "socketpair", SetLastError = true)]
    public static partial int Socketpair(int domain, int type, int protocol, int* sv);

    /// <summary>recvmsg(2): https://man7.org/linux/man-pages/man2/recvmsg.2.html (pass MSG_CMSG_CLOEXEC).</summary>
    [LibraryImport(Name, EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint Recvmsg(int fd, MsgHdr* message, int flags);
}
