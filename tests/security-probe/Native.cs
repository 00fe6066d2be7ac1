using System.Runtime.InteropServices;

namespace Quai.SecurityProbe;

/// <summary>The few libc calls the probe needs around Quai.Runtime.Security: user change and exec.</summary>
internal static unsafe partial class Native
{
    public const uint CLOSE_RANGE_CLOEXEC = 4;
    public const int SIG_SETMASK = 2;

    /// <summary>setgroups(2).</summary>
    [LibraryImport("libc", EntryPoint = "setgroups", SetLastError = true)]
    public static partial int Setgroups(nuint size, uint* list);

    /// <summary>setresgid(2).</summary>
    [LibraryImport("libc", EntryPoint = "setresgid", SetLastError = true)]
    public static partial int Setresgid(uint rgid, uint egid, uint sgid);

    /// <summary>setresuid(2).</summary>
    [LibraryImport("libc", EntryPoint = "setresuid", SetLastError = true)]
    public static partial int Setresuid(uint ruid, uint euid, uint suid);

    /// <summary>umask(2).</summary>
    [LibraryImport("libc", EntryPoint = "umask")]
    public static partial uint Umask(uint mask);

    /// <summary>chdir(2).</summary>
    [LibraryImport("libc", EntryPoint = "chdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chdir(string path);

    /// <summary>chroot(2).</summary>
    [LibraryImport("libc", EntryPoint = "chroot", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chroot(string path);

    /// <summary>close_range(2).</summary>
    [LibraryImport("libc", EntryPoint = "close_range", SetLastError = true)]
    public static partial int CloseRange(uint first, uint last, uint flags);

    /// <summary>signal(2) with SIG_DFL (0).</summary>
    [LibraryImport("libc", EntryPoint = "signal", SetLastError = true)]
    public static partial nint Signal(int signal, nint handler);

    /// <summary>pthread_sigmask(3): 128-byte sigset_t.</summary>
    [LibraryImport("libc", EntryPoint = "pthread_sigmask")]
    public static partial int PthreadSigmask(int how, byte* set, byte* oldSet);

    /// <summary>execve(2).</summary>
    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true)]
    public static partial int Execve(byte* path, byte** argv, byte** envp);
}
