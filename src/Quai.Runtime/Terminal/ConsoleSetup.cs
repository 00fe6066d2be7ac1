using System.Text;
using Quai.Linux;
using Quai.Runtime.Rootfs;
using OciProcess = Quai.Oci.Runtime.Process;

namespace Quai.Runtime.Terminal;

/// <summary>
/// process.terminal inside the container (config.md#process, runc's console-socket protocol):
/// open /dev/ptmx after devpts is mounted, send the master over the console socket with
/// SCM_RIGHTS, then make the slave the controlling terminal and stdio.
/// </summary>
public static class ConsoleSetup
{
    /// <summary>Allocates the pty; <paramref name="container"/> also binds the slave onto /dev/console (the init, not exec).</summary>
    public static void Attach(OciProcess process, int? consoleSocket, bool container)
    {
        if (consoleSocket is not { } socket)
        {
            throw new RuntimeException("process.terminal is true but no console socket was given: pass --console-socket PATH (runc's protocol) or set terminal to false");
        }
        var (master, slavePath) = Pty.Open("/dev/ptmx");
        using (master)
        {
            if (container)
            {
                RootfsSetup.SetupConsoleDevice(slavePath);
            }
            if (process.ConsoleSize is { } size)
            {
                Pty.SetSize(master.Fd, (ushort)size.Height, (ushort)size.Width);
            }
            UnixSocket.SendFd(socket, master.Fd, Encoding.UTF8.GetBytes(slavePath));
        }
        Quai.Linux.Interop.Libc.Close(socket);
        Pty.AttachAsControllingTerminal(slavePath);
    }
}
