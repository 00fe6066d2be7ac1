using System.Runtime.InteropServices;

namespace Quai.Linux.Interop;

// Pseudo-terminals (pty(7), ioctl_tty(2)) for process.terminal and runc's console socket.
public static unsafe partial class Libc
{
    /// <summary>tcgetattr(3); termios is passed as an opaque 60-byte buffer.</summary>
    [LibraryImport(Name, EntryPoint = "tcgetattr", SetLastError = true)]
    public static partial int Tcgetattr(int fd, byte* termios);

    /// <summary>tcsetattr(3)</summary>
    [LibraryImport(Name, EntryPoint = "tcsetattr", SetLastError = true)]
    public static partial int Tcsetattr(int fd, int optionalActions, byte* termios);

    /// <summary>cfmakeraw(3)</summary>
    [LibraryImport(Name, EntryPoint = "cfmakeraw")]
    public static partial void Cfmakeraw(byte* termios);

    /// <summary>isatty(3)</summary>
    [LibraryImport(Name, EntryPoint = "isatty")]
    public static partial int Isatty(int fd);

    /// <summary>struct winsize.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct WinSize
    {
        public ushort Row;
        public ushort Col;
        public ushort XPixel;
        public ushort YPixel;
    }

    /// <summary>sizeof(struct termios) in glibc.</summary>
    public const int TermiosSize = 60;
    public const nuint TIOCGPTN = 0x80045430;
    public const nuint TIOCSPTLCK = 0x40045431;
    public const nuint TIOCSWINSZ = 0x5414;
    public const nuint TIOCGWINSZ = 0x5413;
    public const nuint TIOCSCTTY = 0x540E;
    public const int TCSANOW = 0;
}
