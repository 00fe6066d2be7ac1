using System.Runtime.InteropServices;

namespace Quai.Linux.Interop;

// Process, namespace and signal calls the runtime needs to start and supervise a container's processes.
public static unsafe partial class Libc
{
    /// <summary>unshare(2): https://man7.org/linux/man-pages/man2/unshare.2.html</summary>
    [LibraryImport(Name, EntryPoint = "unshare", SetLastError = true)]
    public static partial int Unshare(int flags);

    /// <summary>setns(2): https://man7.org/linux/man-pages/man2/setns.2.html</summary>
    [LibraryImport(Name, EntryPoint = "setns", SetLastError = true)]
    public static partial int Setns(int fd, int nstype);

    /// <summary>posix_spawn(3); returns an error number, not -1: https://man7.org/linux/man-pages/man3/posix_spawn.3.html</summary>
    [LibraryImport(Name, EntryPoint = "posix_spawn", SetLastError = true)]
    public static partial int PosixSpawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    /// <summary>posix_spawnattr_init(3)</summary>
    [LibraryImport(Name, EntryPoint = "posix_spawnattr_init", SetLastError = true)]
    public static partial int PosixSpawnattrInit(void* attr);

    /// <summary>posix_spawnattr_destroy(3)</summary>
    [LibraryImport(Name, EntryPoint = "posix_spawnattr_destroy", SetLastError = true)]
    public static partial int PosixSpawnattrDestroy(void* attr);

    /// <summary>posix_spawnattr_setflags(3)</summary>
    [LibraryImport(Name, EntryPoint = "posix_spawnattr_setflags", SetLastError = true)]
    public static partial int PosixSpawnattrSetflags(void* attr, short flags);

    /// <summary>posix_spawnattr_setsigdefault(3)</summary>
    [LibraryImport(Name, EntryPoint = "posix_spawnattr_setsigdefault", SetLastError = true)]
    public static partial int PosixSpawnattrSetsigdefault(void* attr, void* sigset);

    /// <summary>posix_spawnattr_setsigmask(3)</summary>
    [LibraryImport(Name, EntryPoint = "posix_spawnattr_setsigmask", SetLastError = true)]
    public static partial int PosixSpawnattrSetsigmask(void* attr, void* sigset);

    /// <summary>posix_spawn_file_actions_init(3)</summary>
    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_init", SetLastError = true)]
    public static partial int PosixSpawnFileActionsInit(void* actions);

    /// <summary>posix_spawn_file_actions_destroy(3)</summary>
    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_destroy", SetLastError = true)]
    public static partial int PosixSpawnFileActionsDestroy(void* actions);

    /// <summary>posix_spawn_file_actions_adddup2(3)</summary>
    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_adddup2", SetLastError = true)]
    public static partial int PosixSpawnFileActionsAdddup2(void* actions, int fd, int newfd);

    /// <summary>sigemptyset(3)</summary>
    [LibraryImport(Name, EntryPoint = "sigemptyset", SetLastError = true)]
    public static partial int Sigemptyset(void* set);

    /// <summary>sigfillset(3)</summary>
    [LibraryImport(Name, EntryPoint = "sigfillset", SetLastError = true)]
    public static partial int Sigfillset(void* set);

    /// <summary>pthread_sigmask(3): https://man7.org/linux/man-pages/man3/pthread_sigmask.3.html</summary>
    [LibraryImport(Name, EntryPoint = "pthread_sigmask", SetLastError = true)]
    public static partial int PthreadSigmask(int how, void* set, void* oldset);

    /// <summary>signal(2), used only to reset a disposition to SIG_DFL before execve.</summary>
    [LibraryImport(Name, EntryPoint = "signal", SetLastError = true)]
    public static partial nint Signal(int signum, nint handler);

    /// <summary>waitpid(2): https://man7.org/linux/man-pages/man2/waitpid.2.html</summary>
    [LibraryImport(Name, EntryPoint = "waitpid", SetLastError = true)]
    public static partial int Waitpid(int pid, int* status, int options);

    /// <summary>prctl(2): https://man7.org/linux/man-pages/man2/prctl.2.html</summary>
    [LibraryImport(Name, EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>fcntl(2) with an int argument: https://man7.org/linux/man-pages/man2/fcntl.2.html</summary>
    [LibraryImport(Name, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int cmd, int arg);

    /// <summary>close_range(2): https://man7.org/linux/man-pages/man2/close_range.2.html</summary>
    [LibraryImport(Name, EntryPoint = "close_range", SetLastError = true)]
    public static partial int CloseRange(uint first, uint last, int flags);

    /// <summary>execve(2): https://man7.org/linux/man-pages/man2/execve.2.html</summary>
    [LibraryImport(Name, EntryPoint = "execve", SetLastError = true)]
    public static partial int Execve(byte* path, byte** argv, byte** envp);

    /// <summary>setsid(2)</summary>
    [LibraryImport(Name, EntryPoint = "setsid", SetLastError = true)]
    public static partial int Setsid();

    /// <summary>setresuid(2); glibc applies it to every thread of the process.</summary>
    [LibraryImport(Name, EntryPoint = "setresuid", SetLastError = true)]
    public static partial int Setresuid(uint ruid, uint euid, uint suid);

    /// <summary>setresgid(2)</summary>
    [LibraryImport(Name, EntryPoint = "setresgid", SetLastError = true)]
    public static partial int Setresgid(uint rgid, uint egid, uint sgid);

    /// <summary>setgroups(2)</summary>
    [LibraryImport(Name, EntryPoint = "setgroups", SetLastError = true)]
    public static partial int Setgroups(nuint size, uint* list);

    /// <summary>getcwd(3)</summary>
    [LibraryImport(Name, EntryPoint = "getcwd", SetLastError = true)]
    public static partial byte* Getcwd(byte* buf, nuint size);

    /// <summary>syscall(2) with two arguments (pidfd_open has no glibc 2.36 wrapper in every build).</summary>
    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    public static partial long Syscall(long number, long arg1, long arg2);

    /// <summary>Syscall number of pidfd_open(2) on x86_64 and arm64 (asm-generic).</summary>
    public const long SYS_pidfd_open = 434;

    /// <summary>syscall(2) with three arguments.</summary>
    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    public static partial long Syscall(long number, long arg1, long arg2, long arg3);

    /// <summary>Syscall number of seccomp(2): 317 on x86_64, 277 on arm64.</summary>
    public static long SYS_seccomp => System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => 317,
        System.Runtime.InteropServices.Architecture.Arm64 => 277,
        var other => throw new PlatformNotSupportedException($"seccomp(2) syscall number unknown on {other}"),
    };

    /// <summary>seccomp(2) operation SECCOMP_SET_MODE_FILTER.</summary>
    public const long SECCOMP_SET_MODE_FILTER = 1;
}
