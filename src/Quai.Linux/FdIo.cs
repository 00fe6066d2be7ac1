using System.Runtime.InteropServices;
using Quai.Linux.Interop;

namespace Quai.Linux;

/// <summary>Whole-buffer reads and writes on raw descriptors (sockets, pipes, fifos), retrying on EINTR and short counts.</summary>
public static unsafe class FdIo
{
    /// <summary>Writes all of <paramref name="data"/>.</summary>
    public static void WriteAll(int fd, ReadOnlySpan<byte> data, string what)
    {
        fixed (byte* p = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var n = Libc.Write(fd, p + done, (nuint)(data.Length - done));
                if (n == -1)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Errnos.EINTR)
                    {
                        continue;
                    }
                    throw new LinuxException("write", errno, what);
                }
                done += (int)n;
            }
        }
    }

    /// <summary>Fills <paramref name="buffer"/>; false on end of file before the first byte, an error on EOF mid-buffer.</summary>
    public static bool ReadExact(int fd, Span<byte> buffer, string what)
    {
        fixed (byte* p = buffer)
        {
            var done = 0;
            while (done < buffer.Length)
            {
                var n = Libc.Read(fd, p + done, (nuint)(buffer.Length - done));
                if (n == -1)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Errnos.EINTR)
                    {
                        continue;
                    }
                    throw new LinuxException("read", errno, what);
                }
                if (n == 0)
                {
                    return done == 0 ? false : throw new EndOfStreamException($"{what}: end of stream after {done} of {buffer.Length} bytes");
                }
                done += (int)n;
            }
            return true;
        }
    }

    /// <summary>One read(2) of up to <paramref name="buffer"/>.Length bytes; 0 at end of file.</summary>
    public static int ReadSome(int fd, Span<byte> buffer, string what)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = Libc.Read(fd, p, (nuint)buffer.Length);
                if (n >= 0)
                {
                    return (int)n;
                }
                var errno = Marshal.GetLastPInvokeError();
                if (errno != Errnos.EINTR)
                {
                    throw new LinuxException("read", errno, what);
                }
            }
        }
    }

    /// <summary>poll(2) for one descriptor; returns the revents, 0 on timeout.</summary>
    public static short Poll(int fd, short events, int timeoutMs)
    {
        var pfd = new Libc.PollFd { Fd = fd, Events = events };
        var rc = Libc.Poll(&pfd, 1, timeoutMs);
        if (rc == -1)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == Errnos.EINTR ? (short)0 : throw new LinuxException("poll", errno);
        }
        return rc == 0 ? (short)0 : pfd.Revents;
    }

    /// <summary>Duplicates <paramref name="fd"/> to the lowest free number ≥ <paramref name="min"/>, close-on-exec (F_DUPFD_CLOEXEC).</summary>
    public static FileDescriptorHandle DupAbove(int fd, int min)
    {
        const int F_DUPFD_CLOEXEC = 1030;
        return new FileDescriptorHandle(LinuxException.ThrowIfError(Libc.Fcntl(fd, F_DUPFD_CLOEXEC, min), "fcntl(F_DUPFD_CLOEXEC)", $"fd {fd}"));
    }

    /// <summary>pipe2(O_CLOEXEC): (read end, write end).</summary>
    public static (FileDescriptorHandle Read, FileDescriptorHandle Write) Pipe()
    {
        var fds = stackalloc int[2];
        LinuxException.ThrowIfError(Libc.Pipe2(fds, Libc.O_CLOEXEC), "pipe2");
        return (new FileDescriptorHandle(fds[0]), new FileDescriptorHandle(fds[1]));
    }

    /// <summary>open(2) with O_CLOEXEC added, as a SafeHandle.</summary>
    public static FileDescriptorHandle Open(string path, int flags, uint mode = 0) =>
        new(LinuxException.ThrowIfError(Libc.Open(path, flags | Libc.O_CLOEXEC, mode), "open", path));
}
