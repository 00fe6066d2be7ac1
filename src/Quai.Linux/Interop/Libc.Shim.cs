using System.Runtime.InteropServices;

namespace Quai.Linux.Interop;

// What quai-shim's poll(2) loop needs beyond the other areas: a listening unix socket
// (bind/listen/accept4/shutdown, unix(7)), send(2) without SIGPIPE, and the real-time clock with
// nanoseconds for docker's json-file timestamps.
public static unsafe partial class Libc
{
    public const int SOCK_NONBLOCK = 0x800;
    public const int SHUT_RD = 0;
    public const int SHUT_WR = 1;
    public const int SHUT_RDWR = 2;
    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const short POLLOUT = 4;
    public const short POLLERR = 8;
    public const short POLLNVAL = 0x20;
    public const int CLOCK_REALTIME = 0;

    /// <summary>PR_SET_CHILD_SUBREAPER (prctl(2)): orphaned descendants are reparented to the caller.</summary>
    public const int PR_SET_CHILD_SUBREAPER = 36;

    /// <summary>SIG_IGN as a handler value for signal(2).</summary>
    public const nint SIG_IGN = 1;

    /// <summary>bind(2): https://man7.org/linux/man-pages/man2/bind.2.html</summary>
    [LibraryImport(Name, EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, SockaddrUn* address, uint addressLength);

    /// <summary>listen(2): https://man7.org/linux/man-pages/man2/listen.2.html</summary>
    [LibraryImport(Name, EntryPoint = "listen", SetLastError = true)]
    public static partial int Listen(int fd, int backlog);

    /// <summary>accept4(2) (pass SOCK_CLOEXEC | SOCK_NONBLOCK): https://man7.org/linux/man-pages/man2/accept4.2.html</summary>
    [LibraryImport(Name, EntryPoint = "accept4", SetLastError = true)]
    public static partial int Accept4(int fd, void* address, uint* addressLength, int flags);

    /// <summary>shutdown(2): https://man7.org/linux/man-pages/man2/shutdown.2.html</summary>
    [LibraryImport(Name, EntryPoint = "shutdown", SetLastError = true)]
    public static partial int Shutdown(int fd, int how);

    /// <summary>send(2) (pass MSG_NOSIGNAL so a gone peer is EPIPE, not SIGPIPE): https://man7.org/linux/man-pages/man2/send.2.html</summary>
    [LibraryImport(Name, EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, byte* buf, nuint count, int flags);

    /// <summary>clock_gettime(2): https://man7.org/linux/man-pages/man2/clock_gettime.2.html</summary>
    [LibraryImport(Name, EntryPoint = "clock_gettime", SetLastError = true)]
    public static partial int ClockGettime(int clock, Timespec* time);
}
