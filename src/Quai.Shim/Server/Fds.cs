using System.Runtime.InteropServices;
using System.Text;
using Quai.Linux;
using Quai.Linux.Interop;

namespace Quai.Shim.Server;

/// <summary>Non-blocking descriptor helpers for the shim's poll(2) loop: pipes, pidfds, the listening socket, reads and sends that report EAGAIN instead of throwing.</summary>
internal static unsafe class Fds
{
    /// <summary>read(2) or send(2) would block.</summary>
    public const int WouldBlock = -1;

    /// <summary>The descriptor is finished: end of file, EIO on a pty whose slave closed, EPIPE, ECONNRESET.</summary>
    public const int Closed = -2;


    /// <summary>pipe2(O_CLOEXEC): (read end, write end).</summary>
    public static (FileDescriptorHandle Read, FileDescriptorHandle Write) Pipe() => FdIo.Pipe();

    /// <summary>Sets O_NONBLOCK (on this open file description only: the child's dup of the other end is untouched).</summary>
    public static void SetNonBlocking(FileDescriptorHandle fd)
    {
        var flags = LinuxException.ThrowIfError(Libc.Fcntl(fd.Fd, Libc.F_GETFL, 0), "fcntl(F_GETFL)");
        LinuxException.ThrowIfError(Libc.Fcntl(fd.Fd, Libc.F_SETFL, flags | Libc.O_NONBLOCK), "fcntl(F_SETFL)");
    }

    /// <summary>pidfd_open(2): an fd that polls readable when <paramref name="pid"/> exits (kernel ≥ 5.3).</summary>
    public static FileDescriptorHandle PidfdOpen(int pid) =>
        new((int)LinuxException.ThrowIfError(Libc.Syscall(Libc.SYS_pidfd_open, pid, 0), "pidfd_open", $"pid {pid}"));

    /// <summary>A listening, non-blocking, close-on-exec unix stream socket at <paramref name="path"/> (mode 0600).</summary>
    public static FileDescriptorHandle Listen(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length >= 108)
        {
            throw new ArgumentException($"socket path {path} is longer than 107 bytes (unix(7) sun_path): use a shorter state directory");
        }
        File.Delete(path);
        var fd = new FileDescriptorHandle(LinuxException.ThrowIfError(Libc.Socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC | Libc.SOCK_NONBLOCK, 0), "socket", path));
        try
        {
            var addr = new Libc.SockaddrUn { Family = Libc.AF_UNIX };
            bytes.CopyTo(new Span<byte>(addr.Path, 108));
            // umask, not chmod after bind: no moment where the socket is open to others.
            var old = Libc.Umask(0x7F); // 0177: the socket is made 0600
            var rc = Libc.Bind(fd.Fd, &addr, (uint)(2 + bytes.Length + 1));
            Libc.Umask(old);
            LinuxException.ThrowIfError(rc, "bind", path);
            LinuxException.ThrowIfError(Libc.Listen(fd.Fd, 64), "listen", path);
            return fd;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>accept4(2), close-on-exec (and non-blocking unless <paramref name="blocking"/>); null when no connection is waiting.</summary>
    public static FileDescriptorHandle? Accept(FileDescriptorHandle listener, bool blocking = false)
    {
        var fd = Libc.Accept4(listener.Fd, null, null, Libc.SOCK_CLOEXEC | (blocking ? 0 : Libc.SOCK_NONBLOCK));
        return fd >= 0 ? new FileDescriptorHandle(fd) : null;
    }

    /// <summary>One read(2): the byte count, <see cref="WouldBlock"/>, or <see cref="Closed"/> (EOF, EIO, reset).</summary>
    public static int Read(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = Libc.Read(fd, p, (nuint)buffer.Length);
                if (n > 0)
                {
                    return (int)n;
                }
                if (n == 0)
                {
                    return Closed;
                }
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errnos.EINTR)
                {
                    continue;
                }
                return errno == Errnos.EAGAIN ? WouldBlock : Closed;
            }
        }
    }

    /// <summary>
    /// One write: send(2) with MSG_NOSIGNAL on a socket, write(2) otherwise (SIGPIPE is ignored);
    /// the byte count, <see cref="WouldBlock"/>, or <see cref="Closed"/>.
    /// </summary>
    public static int Write(int fd, ReadOnlySpan<byte> data, bool socket)
    {
        fixed (byte* p = data)
        {
            while (true)
            {
                var n = socket ? Libc.Send(fd, p, (nuint)data.Length, Libc.MSG_NOSIGNAL) : Libc.Write(fd, p, (nuint)data.Length);
                if (n >= 0)
                {
                    return (int)n;
                }
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errnos.EINTR)
                {
                    continue;
                }
                return errno == Errnos.EAGAIN ? WouldBlock : Closed;
            }
        }
    }
}
