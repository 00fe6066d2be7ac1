namespace Quai.Linux.Interop;

public static partial class Libc
{
    // open(2) flags, x86-64 values (asm-generic/fcntl.h): https://man7.org/linux/man-pages/man2/open.2.html
    // One definition for every area (mounts, files, terminals, cgroups).
    public const int O_RDONLY = 0x0;
    public const int O_WRONLY = 0x1;
    public const int O_RDWR = 0x2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NOCTTY = 0x100;
    public const int O_TRUNC = 0x200;
    public const int O_APPEND = 0x400;
    public const int O_NONBLOCK = 0x800;
    public const int O_DIRECTORY = 0x10000;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_CLOEXEC = 0x80000;
    public const int O_PATH = 0x200000;
}
