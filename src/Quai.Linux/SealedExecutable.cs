using Quai.Linux.Interop;

namespace Quai.Linux;

/// <summary>
/// A sealed memfd copy of an executable (memfd_create(2), F_ADD_SEALS in fcntl(2)): the copy the
/// container's init is started from, so nothing inside can write the host binary through
/// /proc/PID/exe (CVE-2019-5736).
/// </summary>
public sealed unsafe class SealedExecutable : IDisposable
{
    private const uint MFD_CLOEXEC = 1;
    private const uint MFD_ALLOW_SEALING = 2;
    private const int F_ADD_SEALS = 1033;
    private const int F_SEAL_SEAL = 1;
    private const int F_SEAL_SHRINK = 2;
    private const int F_SEAL_GROW = 4;
    private const int F_SEAL_WRITE = 8;

    private readonly FileDescriptorHandle _fd;

    private SealedExecutable(FileDescriptorHandle fd) => _fd = fd;

    /// <summary>The memfd's descriptor (close-on-exec).</summary>
    public int Fd => _fd.Fd;

    /// <summary>The path that execve resolves to the sealed copy, for the calling process and its spawned children.</summary>
    public string ExecPath => $"/proc/self/fd/{_fd.Fd}";

    /// <summary>Copies <paramref name="path"/> (default: /proc/self/exe) into a sealed memfd.</summary>
    public static SealedExecutable Create(string path = "/proc/self/exe")
    {
        var src = LinuxException.ThrowIfError(Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0), "open", path);
        try
        {
            var memfd = new FileDescriptorHandle(LinuxException.ThrowIfError(Libc.MemfdCreate("quai-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING), "memfd_create", path));
            try
            {
                while (true)
                {
                    var n = Libc.Sendfile(memfd.Fd, src, null, 1 << 30);
                    if (n == 0)
                    {
                        break;
                    }
                    LinuxException.ThrowIfError((long)n, "sendfile", path);
                }
                LinuxException.ThrowIfError(Libc.Fcntl(memfd.Fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE), "fcntl(F_ADD_SEALS)", path);
                return new SealedExecutable(memfd);
            }
            catch
            {
                memfd.Dispose();
                throw;
            }
        }
        finally
        {
            Libc.Close(src);
        }
    }

    public void Dispose() => _fd.Dispose();
}
