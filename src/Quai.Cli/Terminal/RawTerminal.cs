namespace Quai.Cli.Terminal;

/// <summary>
/// Puts a terminal in raw mode (cfmakeraw(3), as docker's moby/term MakeRaw) and restores the
/// saved settings on <see cref="Dispose"/>; also on process exit, so Ctrl-C or an exception
/// never leaves the user's shell raw.
/// </summary>
public sealed unsafe class RawTerminal : IDisposable
{
    private readonly int _fd;
    private readonly byte[] _saved = new byte[TerminalInterop.TermiosSize];
    private int _restored;

    private RawTerminal(int fd) => _fd = fd;

    /// <summary>Whether <paramref name="fd"/> is a terminal.</summary>
    public static bool IsTerminal(int fd) => TerminalInterop.Isatty(fd) == 1;

    /// <summary>Makes <paramref name="fd"/> raw; null when it is not a terminal.</summary>
    public static RawTerminal? MakeRaw(int fd)
    {
        if (!IsTerminal(fd))
        {
            return null;
        }
        var t = new RawTerminal(fd);
        var raw = new byte[TerminalInterop.TermiosSize];
        fixed (byte* saved = t._saved)
        fixed (byte* r = raw)
        {
            if (TerminalInterop.Tcgetattr(fd, saved) != 0)
            {
                return null;
            }
            Buffer.MemoryCopy(saved, r, raw.Length, raw.Length);
            TerminalInterop.Cfmakeraw(r);
            // docker keeps output post-processing (OPOST) so "\n" still returns the carriage.
            if (TerminalInterop.Tcsetattr(fd, TerminalInterop.TCSANOW, r) != 0)
            {
                return null;
            }
        }
        AppDomain.CurrentDomain.ProcessExit += t.OnExit;
        return t;
    }

    /// <summary>The terminal's size (rows, columns), or null when unknown.</summary>
    public static (int Rows, int Cols)? Size(int fd)
    {
        TerminalInterop.WinSize ws;
        if (TerminalInterop.IoctlWinSize(fd, TerminalInterop.TIOCGWINSZ, &ws) != 0 || ws.Col == 0)
        {
            return null;
        }
        return (ws.Row, ws.Col);
    }

    private void OnExit(object? sender, EventArgs e) => Restore();

    /// <summary>Restores the saved settings (idempotent).</summary>
    public void Restore()
    {
        if (Interlocked.Exchange(ref _restored, 1) != 0)
        {
            return;
        }
        fixed (byte* saved = _saved)
        {
            _ = TerminalInterop.Tcsetattr(_fd, TerminalInterop.TCSANOW, saved);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Restore();
        AppDomain.CurrentDomain.ProcessExit -= OnExit;
    }
}
