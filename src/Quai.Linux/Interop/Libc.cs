using System.Runtime.InteropServices;

namespace Quai.Linux.Interop;

/// <summary>
/// Raw P/Invoke declarations into glibc, one partial file per area (Libc.Mount.cs, Libc.Files.cs,
/// Libc.Capabilities.cs, ...). Blittable signatures and <c>SetLastError = true</c> only; callers
/// turn failures into <see cref="LinuxException"/>. Each import links its man page.
/// </summary>
public static unsafe partial class Libc
{
    internal const string Name = "libc";

    /// <summary>close(2): https://man7.org/linux/man-pages/man2/close.2.html</summary>
    [LibraryImport(Name, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>getpid(2)</summary>
    [LibraryImport(Name, EntryPoint = "getpid")]
    public static partial int GetPid();

    /// <summary>geteuid(2)</summary>
    [LibraryImport(Name, EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    /// <summary>kill(2): https://man7.org/linux/man-pages/man2/kill.2.html</summary>
    [LibraryImport(Name, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
