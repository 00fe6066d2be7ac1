using System.Text;
using Quai.Linux;
using Quai.Linux.Interop;

namespace Quai.Shim.Server;

/// <summary>
/// The shim's own log, &lt;state-dir&gt;/shim.log: one timestamped line per event. The shim has no
/// stdio (quaid gives it /dev/null), so this is where a failure is explained.
/// </summary>
internal sealed class ShimDiagnostics : IDisposable
{
    private readonly FileDescriptorHandle? _fd;

    public ShimDiagnostics(string path)
    {
        var fd = Libc.Open(path, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND | Libc.O_CLOEXEC, 0x180);
        _fd = fd >= 0 ? new FileDescriptorHandle(fd) : null;
    }

    /// <summary>Appends one line; never throws (diagnostics must not break the shim).</summary>
    public void Write(string message)
    {
        if (_fd is null)
        {
            return;
        }
        try
        {
            var line = $"{Rfc3339.Now()} [{Environment.ProcessId}] {message}\n";
            FdIo.WriteAll(_fd.Fd, Encoding.UTF8.GetBytes(line), "shim.log");
        }
        catch (IOException)
        {
        }
    }

    public void Dispose() => _fd?.Dispose();
}
