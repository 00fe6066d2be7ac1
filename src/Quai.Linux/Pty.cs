using Quai.Linux.Interop;

namespace Quai.Linux;

/// <summary>Pseudo-terminal operations (pty(7), ioctl_tty(2)).</summary>
public static unsafe class Pty
{
    /// <summary>Opens /dev/ptmx (close-on-exec, not the controlling tty), unlocks it and returns the master and the slave's path.</summary>
    public static (FileDescriptorHandle Master, string SlavePath) Open(string ptmx = "/dev/ptmx")
    {
        var master = new FileDescriptorHandle(LinuxException.ThrowIfError(Libc.Open(ptmx, Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC, 0), "open", ptmx));
        try
        {
            var unlock = 0;
            LinuxException.ThrowIfError(Libc.Ioctl(master.Fd, Libc.TIOCSPTLCK, &unlock), "ioctl(TIOCSPTLCK)", ptmx);
            uint n;
            LinuxException.ThrowIfError(Libc.Ioctl(master.Fd, Libc.TIOCGPTN, &n), "ioctl(TIOCGPTN)", ptmx);
            return (master, $"/dev/pts/{n}");
        }
        catch
        {
            master.Dispose();
            throw;
        }
    }

    /// <summary>Sets the terminal size (TIOCSWINSZ).</summary>
    public static void SetSize(int fd, ushort rows, ushort cols)
    {
        var ws = new Libc.WinSize { Row = rows, Col = cols };
        LinuxException.ThrowIfError(Libc.Ioctl(fd, Libc.TIOCSWINSZ, &ws), "ioctl(TIOCSWINSZ)");
    }

    /// <summary>Reads the terminal size (TIOCGWINSZ), or null when <paramref name="fd"/> is no terminal.</summary>
    public static (ushort Rows, ushort Cols)? GetSize(int fd)
    {
        Libc.WinSize ws;
        return Libc.Ioctl(fd, Libc.TIOCGWINSZ, &ws) == 0 ? (ws.Row, ws.Col) : null;
    }

    /// <summary>
    /// Makes <paramref name="slavePath"/> the calling process's controlling terminal and its stdio:
    /// setsid, TIOCSCTTY, dup to 0/1/2 (what a login session does, credentials(7)).
    /// </summary>
    public static void AttachAsControllingTerminal(string slavePath)
    {
        var slave = LinuxException.ThrowIfError(Libc.Open(slavePath, Libc.O_RDWR | Libc.O_CLOEXEC, 0), "open", slavePath);
        try
        {
            LinuxException.ThrowIfError(Libc.Setsid(), "setsid");
            LinuxException.ThrowIfError(Libc.Ioctl(slave, Libc.TIOCSCTTY, null), "ioctl(TIOCSCTTY)", slavePath);
            for (var i = 0; i < 3; i++)
            {
                LinuxException.ThrowIfError(Libc.Dup3(slave, i, 0), "dup3", slavePath);
            }
        }
        finally
        {
            Libc.Close(slave);
        }
    }

    /// <summary>Puts the terminal on <paramref name="fd"/> in raw mode; returns the previous settings for <see cref="Restore"/>.</summary>
    public static byte[]? MakeRaw(int fd)
    {
        if (Libc.Isatty(fd) != 1)
        {
            return null;
        }
        var saved = new byte[Libc.TermiosSize];
        fixed (byte* p = saved)
        {
            LinuxException.ThrowIfError(Libc.Tcgetattr(fd, p), "tcgetattr");
            byte* raw = stackalloc byte[Libc.TermiosSize];
            new Span<byte>(p, Libc.TermiosSize).CopyTo(new Span<byte>(raw, Libc.TermiosSize));
            Libc.Cfmakeraw(raw);
            LinuxException.ThrowIfError(Libc.Tcsetattr(fd, Libc.TCSANOW, raw), "tcsetattr");
        }
        return saved;
    }

    /// <summary>Restores settings saved by <see cref="MakeRaw"/>.</summary>
    public static void Restore(int fd, byte[]? saved)
    {
        if (saved is null)
        {
            return;
        }
        fixed (byte* p = saved)
        {
            Libc.Tcsetattr(fd, Libc.TCSANOW, p);
        }
    }
}
