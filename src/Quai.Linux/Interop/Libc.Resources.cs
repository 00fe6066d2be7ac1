using System.Runtime.InteropServices;

namespace Quai.Linux.Interop;

// Resource limits and OOM/priority controls: getrlimit(2), setrlimit(2), prlimit(2).
public static unsafe partial class Libc
{
    /// <summary>RLIM_INFINITY on 64-bit Linux: no limit.</summary>
    public const ulong RLIM_INFINITY = ulong.MaxValue;

    /// <summary>struct rlimit (64-bit fields on every 64-bit ABI; glibc's rlimit64 on 32-bit).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RLimit
    {
        /// <summary>rlim_cur: the soft limit.</summary>
        public ulong Current;

        /// <summary>rlim_max: the hard limit.</summary>
        public ulong Maximum;
    }

    /// <summary>getrlimit(2): https://man7.org/linux/man-pages/man2/getrlimit.2.html</summary>
    [LibraryImport(Name, EntryPoint = "getrlimit64", SetLastError = true)]
    public static partial int Getrlimit(int resource, RLimit* limit);

    /// <summary>setrlimit(2): raising the hard limit needs CAP_SYS_RESOURCE.</summary>
    [LibraryImport(Name, EntryPoint = "setrlimit64", SetLastError = true)]
    public static partial int Setrlimit(int resource, RLimit* limit);

    /// <summary>prlimit(2): get and/or set another process's limit (pid 0 = the caller).</summary>
    [LibraryImport(Name, EntryPoint = "prlimit64", SetLastError = true)]
    public static partial int Prlimit(int pid, int resource, RLimit* newLimit, RLimit* oldLimit);

    /// <summary>ioprio_set(2) through syscall(2): glibc has no wrapper. https://man7.org/linux/man-pages/man2/ioprio_set.2.html</summary>
    public static int IoprioSet(int which, int who, int ioprio) => (int)SyscallInt3(SYS_ioprio_set, which, who, ioprio);

    /// <summary>sched_setattr(2) through syscall(2): glibc 2.36 has no wrapper. https://man7.org/linux/man-pages/man2/sched_setattr.2.html</summary>
    public static int SchedSetattr(int pid, SchedAttr* attr, uint flags) => (int)SyscallPtr(SYS_sched_setattr, pid, attr, flags);

    /// <summary>struct sched_attr, version SCHED_ATTR_SIZE_VER0 (48 bytes; linux/sched/types.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SchedAttr
    {
        public uint Size;
        public uint SchedPolicy;
        public ulong SchedFlags;
        public int SchedNice;
        public uint SchedPriority;
        public ulong SchedRuntime;
        public ulong SchedDeadline;
        public ulong SchedPeriod;
    }

    // Syscall numbers differ per architecture (arch/x86/entry/syscalls/syscall_64.tbl,
    // include/uapi/asm-generic/unistd.h for aarch64 and riscv64).
    private static long SYS_ioprio_set => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 251 : 30;

    private static long SYS_sched_setattr => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 314 : 274;

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallInt3(long number, int a, int b, int c);

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallPtr(long number, int a, SchedAttr* b, uint c);
}
