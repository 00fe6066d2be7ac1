using System.Runtime.InteropServices;

namespace Quai.Linux.Interop;

// Unix sockets: the init handshake (socketpair) and runc's console-socket protocol (SCM_RIGHTS).
public static unsafe partial class Libc
{
    /// <summary>socketpair(2): https://man7.org/linux/man-pages/man2/socketpair.2.html</summary>
    [LibraryImport(Name, EntryPoint = "socketpair", SetLastError = true)]
    public static partial int Socketpair(int domain, int type, int protocol, int* sv);

    /// <summary>socket(2)</summary>
    [LibraryImport(Name, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    /// <summary>connect(2)</summary>
    [LibraryImport(Name, EntryPoint = "connect", SetLastError = true)]
    public static partial int Connect(int fd, void* addr, uint addrlen);

    /// <summary>sendmsg(2): https://man7.org/linux/man-pages/man2/sendmsg.2.html</summary>
    [LibraryImport(Name, EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint Sendmsg(int fd, MsgHdr* msg, int flags);

    /// <summary>recvmsg(2)</summary>
    [LibraryImport(Name, EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint Recvmsg(int fd, MsgHdr* msg, int flags);

    /// <summary>struct iovec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Len;
    }

    /// <summary>struct msghdr (x86_64/arm64 layout).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public void* Control;
        public nuint ControlLen;
        public int Flags;
    }

    /// <summary>struct cmsghdr header (the data follows, aligned to 8 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CmsgHdr
    {
        public nuint Len;
        public int Level;
        public int Type;
    }

    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1;
    public const int SCM_RIGHTS = 1;
    public const int MSG_CMSG_CLOEXEC = 0x40000000;
}
