using System.Runtime.InteropServices;

namespace Quai.Linux.Interop;

// File descriptor I/O the runtime needs (fifos, pipes, memfd copies, poll). open(2) and its flags are in Libc.Mount.cs.
public static unsafe partial class Libc
{
    /// <summary>read(2)</summary>
    [LibraryImport(Name, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buf, nuint count);

    /// <summary>write(2)</summary>
    [LibraryImport(Name, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buf, nuint count);

    /// <summary>dup3(2)</summary>
    [LibraryImport(Name, EntryPoint = "dup3", SetLastError = true)]
    public static partial int Dup3(int oldfd, int newfd, int flags);

    /// <summary>pipe2(2)</summary>
    [LibraryImport(Name, EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    /// <summary>mkdir(2)</summary>
    [LibraryImport(Name, EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mkdir(string path, uint mode);

    /// <summary>mkfifo(3)</summary>
    [LibraryImport(Name, EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mkfifo(string path, uint mode);

    /// <summary>sendfile(2): copies between descriptors in the kernel.</summary>
    [LibraryImport(Name, EntryPoint = "sendfile", SetLastError = true)]
    public static partial nint Sendfile(int outFd, int inFd, long* offset, nuint count);

    /// <summary>poll(2)</summary>
    [LibraryImport(Name, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint nfds, int timeout);

    /// <summary>ioctl(2) with a pointer argument.</summary>
    [LibraryImport(Name, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* arg);

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    public const short POLLIN = 1;
    public const short POLLHUP = 0x10;
}
