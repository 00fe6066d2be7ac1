using System.Runtime.InteropServices;

namespace Quai.Linux.Interop;

// Unix sockets with fd passing: socket(2), connect(2), sendmsg(2) and SCM_RIGHTS (unix(7)).
public static unsafe partial class Libc
{
    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1;
    public const int SCM_RIGHTS = 1;
    public const int MSG_NOSIGNAL = 0x4000;

    /// <summary>struct sockaddr_un (unix(7)): family and a 108-byte path.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockaddrUn
    {
        public ushort Family;
        public fixed byte Path[108];
    }

    /// <summary>struct iovec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    /// <summary>struct msghdr (sendmsg(2)).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct cmsghdr (cmsg(3)); its data follows, aligned to 8 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    /// <summary>socket(2): https://man7.org/linux/man-pages/man2/socket.2.html (pass SOCK_CLOEXEC).</summary>
    [LibraryImport(Name, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    /// <summary>connect(2).</summary>
    [LibraryImport(Name, EntryPoint = "connect", SetLastError = true)]
    public static partial int Connect(int fd, SockaddrUn* address, uint addressLength);

    /// <summary>sendmsg(2).</summary>
    [LibraryImport(Name, EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint Sendmsg(int fd, MsgHdr* message, int flags);

    public const int MSG_CMSG_CLOEXEC = 0x40000000;

    /// <summary>socketpair(2): https://man7.org/linux/man-pages/man2/socketpair.2.html (pass SOCK_CLOEXEC).</summary>
    [LibraryImport(Name, EntryPoint = "socketpair", SetLastError = true)]
    public static partial int Socketpair(int domain, int type, int protocol, int* sv);

    /// <summary>recvmsg(2): https://man7.org/linux/man-pages/man2/recvmsg.2.html (pass MSG_CMSG_CLOEXEC).</summary>
    [LibraryImport(Name, EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint Recvmsg(int fd, MsgHdr* message, int flags);
}
