using System.Runtime.InteropServices;

namespace Quai.Cli.Terminal;

// termios(3) and ioctl_tty(2) for the client's own terminal. Quai.Cli may not reference
// Quai.Linux (ARCHITECTURE.md: the CLI is an API client), so it keeps these few imports itself.
internal static unsafe partial class TerminalInterop
{
    /// <summary>sizeof(struct termios) in glibc on Linux.</summary>
    public const int TermiosSize = 60;
    public const int TCSANOW = 0;
    public const nuint TIOCGWINSZ = 0x5413;

    [StructLayout(LayoutKind.Sequential)]
    public struct WinSize
    {
        public ushort Row;
        public ushort Col;
        public ushort XPixel;
        public ushort YPixel;
    }

    /// <summary>tcgetattr(3)</summary>
    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    public static partial int Tcgetattr(int fd, byte* termios);

    /// <summary>tcsetattr(3)</summary>
    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    public static partial int Tcsetattr(int fd, int optionalActions, byte* termios);

    /// <summary>cfmakeraw(3)</summary>
    [LibraryImport("libc", EntryPoint = "cfmakeraw")]
    public static partial void Cfmakeraw(byte* termios);

    /// <summary>isatty(3)</summary>
    [LibraryImport("libc", EntryPoint = "isatty")]
    public static partial int Isatty(int fd);

    /// <summary>ioctl(2) TIOCGWINSZ</summary>
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int IoctlWinSize(int fd, nuint request, WinSize* size);
}
