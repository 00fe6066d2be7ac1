using Quai.Linux;
using Quai.Linux.Interop;

namespace Quai.Runtime.Terminal;

/// <summary>
/// `run -t` / `exec -t` without --console-socket: the runtime receives the pty master itself
/// and copies our stdin to it and its output to our stdout, with our terminal in raw mode so
/// keys reach the container's line discipline untouched (as runc's tty.go does).
/// </summary>
public sealed class ConsoleRelay : IDisposable
{
    private readonly FileDescriptorHandle _master;
    private readonly byte[]? _savedTermios;
    private readonly Thread _output;

    private ConsoleRelay(FileDescriptorHandle master)
    {
        _master = master;
        if (Pty.GetSize(0) is { } size)
        {
            Pty.SetSize(master.Fd, size.Rows, size.Cols);
        }
        _savedTermios = Pty.MakeRaw(0);
        var input = new Thread(() => Copy(0, _master.Fd)) { IsBackground = true, Name = "console-in" };
        _output = new Thread(() => Copy(_master.Fd, 1)) { IsBackground = true, Name = "console-out" };
        input.Start();
        _output.Start();
    }

    /// <summary>Receives the master from <paramref name="socket"/> (SCM_RIGHTS) and starts copying.</summary>
    public static ConsoleRelay Receive(int socket)
    {
        var (master, _) = UnixSocket.ReceiveFd(socket);
        return new ConsoleRelay(master);
    }

    /// <summary>Waits (briefly) for the last output after the process exited, then restores the terminal.</summary>
    public void Dispose()
    {
        _output.Join(TimeSpan.FromSeconds(2));
        Pty.Restore(0, _savedTermios);
        _master.Dispose();
    }

    private static void Copy(int from, int to)
    {
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var n = FdIo.ReadSome(from, buffer, "console");
                if (n == 0)
                {
                    return;
                }
                FdIo.WriteAll(to, buffer.AsSpan(0, n), "console");
            }
        }
        catch (LinuxException)
        {
            // EIO from the master once every slave fd is closed: the session is over.
        }
    }

    /// <summary>True when fd 0 is a terminal.</summary>
    public static bool StdinIsTerminal => Libc.Isatty(0) == 1;
}
