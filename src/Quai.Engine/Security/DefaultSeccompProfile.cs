namespace Quai.Engine.Security;

/// <summary>
/// The profile every container gets unless it is privileged or asks for
/// `--security-opt seccomp=unconfined|PROFILE`: docker's default policy (moby
/// profiles/seccomp/default.json, the behaviour Docker users rely on), written out here. It is an
/// allow list: any syscall not named fails with EPERM. What it keeps from an unprivileged
/// container: new namespaces (clone/unshare with CLONE_NEW*, setns), mounts, keyrings, bpf,
/// perf_event_open, kernel modules, kexec, reboot, swap, clock setting, ptrace before 4.8,
/// AF_VSOCK sockets and exotic personalities — each allowed again when the container holds the
/// capability that makes it legitimate (e.g. --cap-add SYS_ADMIN).
/// </summary>
public static class DefaultSeccompProfile
{
    private const uint EPERM = 1;
    private const uint ENOSYS = 38;

    // CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET (0x7E020000):
    // clone(2) may not ask for any of these without CAP_SYS_ADMIN.
    private const ulong NamespaceCloneFlags = 0x7E020000;

    private const ulong AfVsock = 40;

    // personality(2) values that only select Linux behaviour: PER_LINUX, PER_LINUX32,
    // UNAME26, PER_LINUX32|UNAME26, and 0xffffffff (the query).
    private static readonly ulong[] HarmlessPersonalities = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

    // Syscalls any process may make: files, memory, signals, time, sockets, IPC, scheduling,
    // identity changes within the caps the container has, and the 32-bit/time64 variants.
    private static readonly string[] Everyday =
    [
        // files and directories
        "access", "chdir", "chmod", "chown", "chown32", "close", "close_range", "copy_file_range", "creat",
        "dup", "dup2", "dup3", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark",
        "fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync",
        "fgetxattr", "flistxattr", "flock", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs",
        "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futimesat", "getcwd", "getdents", "getdents64", "getxattr",
        "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "lchown", "lchown32", "lgetxattr",
        "link", "linkat", "listxattr", "llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64",
        "mkdir", "mkdirat", "mknod", "mknodat", "name_to_handle_at", "newfstatat", "open", "openat", "openat2",
        "pread64", "preadv", "preadv2", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat",
        "readv", "removexattr", "rename", "renameat", "renameat2", "rmdir", "sendfile", "sendfile64", "setxattr",
        "splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range",
        "syncfs", "tee", "truncate", "truncate64", "umask", "unlink", "unlinkat", "utime", "utimensat",
        "utimensat_time64", "utimes", "vmsplice", "write", "writev",
        // asynchronous and multiplexed I/O
        "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait",
        "epoll_wait_old", "eventfd", "eventfd2", "io_cancel", "io_destroy", "io_getevents", "io_pgetevents",
        "io_pgetevents_time64", "io_setup", "io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup",
        "ioctl", "ioprio_get", "ioprio_set", "_newselect", "pause", "pipe", "pipe2", "poll", "ppoll", "ppoll_time64",
        "pselect6", "pselect6_time64", "select", "signalfd", "signalfd4", "timerfd_create", "timerfd_gettime",
        "timerfd_gettime64", "timerfd_settime", "timerfd_settime64",
        // memory
        "brk", "madvise", "membarrier", "memfd_create", "memfd_secret", "mincore", "mlock", "mlock2", "mlockall", "mmap",
        "mmap2", "mprotect", "mremap", "msync", "munlock", "munlockall", "munmap", "pkey_alloc", "pkey_free",
        "pkey_mprotect", "remap_file_pages",
        // processes, threads, signals
        "capget", "capset", "execve", "execveat", "exit", "exit_group", "fork", "futex", "futex_time64", "futex_waitv",
        "get_robust_list", "get_thread_area", "getcpu", "getitimer", "getpgid", "getpgrp", "getpid", "getppid",
        "getpriority", "getrlimit", "getrusage", "getsid", "gettid", "kill", "pidfd_open", "pidfd_send_signal", "prctl",
        "prlimit64", "process_mrelease", "restart_syscall", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
        "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
        "rt_tgsigqueueinfo", "sched_get_priority_max", "sched_get_priority_min", "sched_getaffinity", "sched_getattr",
        "sched_getparam", "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
        "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp",
        "set_robust_list", "set_thread_area", "set_tid_address", "setitimer", "setpgid", "setpriority", "setrlimit",
        "setsid", "sigaltstack", "sigprocmask", "sigreturn", "tgkill", "tkill", "ugetrlimit", "vfork", "wait4", "waitid",
        "waitpid", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
        // identity (what the capabilities allow)
        "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getresgid",
        "getresgid32", "getresuid", "getresuid32", "getuid", "getuid32", "setfsgid", "setfsgid32", "setfsuid",
        "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setregid", "setregid32", "setresgid",
        "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setuid", "setuid32",
        // time
        "adjtimex", "alarm", "clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64", "clock_gettime",
        "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "gettimeofday", "nanosleep", "time", "timer_create",
        "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64", "times",
        // sockets (socket(2) itself is below, without AF_VSOCK)
        "accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt", "listen", "recv", "recvfrom",
        "recvmmsg", "recvmmsg_time64", "recvmsg", "send", "sendmmsg", "sendmsg", "sendto", "setsockopt", "shutdown",
        "socketcall", "socketpair",
        // System V and POSIX IPC (in the container's own IPC namespace)
        "ipc", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
        "mq_timedsend_time64", "mq_unlink", "msgctl", "msgget", "msgrcv", "msgsnd", "semctl", "semget", "semop",
        "semtimedop", "semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget",
        // system information
        "getrandom", "sysinfo", "uname",
    ];

    // What a capability makes legitimate again.
    private static readonly (string Cap, string[] Names)[] ByCapability =
    [
        ("CAP_SYS_ADMIN", ["bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick", "lookup_dcookie",
            "mount", "mount_setattr", "move_mount", "open_tree", "perf_event_open", "quotactl", "quotactl_fd", "setdomainname",
            "sethostname", "setns", "syslog", "umount", "umount2", "unshare"]),
        ("CAP_DAC_READ_SEARCH", ["open_by_handle_at"]),
        ("CAP_SYS_BOOT", ["reboot"]),
        ("CAP_SYS_CHROOT", ["chroot"]),
        ("CAP_SYS_MODULE", ["delete_module", "init_module", "finit_module"]),
        ("CAP_SYS_PACCT", ["acct"]),
        ("CAP_SYS_PTRACE", ["kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"]),
        ("CAP_SYS_RAWIO", ["iopl", "ioperm"]),
        ("CAP_SYS_TIME", ["settimeofday", "stime", "clock_settime", "clock_settime64"]),
        ("CAP_SYS_TTY_CONFIG", ["vhangup"]),
        ("CAP_SYS_NICE", ["get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"]),
        ("CAP_SYSLOG", ["syslog"]),
        ("CAP_BPF", ["bpf"]),
        ("CAP_PERFMON", ["perf_event_open"]),
    ];

    /// <summary>A new copy of the profile (callers may not share one: it is mutable).</summary>
    public static SeccompProfile Create()
    {
        var rules = new List<SeccompRule>
        {
            Allow(Everyday),
            // Since 4.8 seccomp runs after ptrace, so a tracer can no longer bypass the filter.
            new() { Names = ["process_vm_readv", "process_vm_writev", "ptrace"], Action = "SCMP_ACT_ALLOW", Includes = new() { MinKernel = "4.8" } },
            new() { Names = ["socket"], Action = "SCMP_ACT_ALLOW", Args = [new() { Index = 0, Value = AfVsock, Op = "SCMP_CMP_NE" }] },
        };
        rules.AddRange(HarmlessPersonalities.Select(p => new SeccompRule
        {
            Names = ["personality"],
            Action = "SCMP_ACT_ALLOW",
            Args = [new() { Index = 0, Value = p, Op = "SCMP_CMP_EQ" }],
        }));
        rules.Add(new() { Names = ["arch_prctl"], Action = "SCMP_ACT_ALLOW", Includes = new() { Arches = ["amd64", "x32"] } });
        rules.Add(new() { Names = ["modify_ldt"], Action = "SCMP_ACT_ALLOW", Includes = new() { Arches = ["amd64", "x32", "x86"] } });
        rules.Add(new()
        {
            Names = ["arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush", "set_tls"],
            Action = "SCMP_ACT_ALLOW",
            Includes = new() { Arches = ["arm", "arm64"] },
        });
        rules.AddRange(ByCapability.Select(c => new SeccompRule { Names = [.. c.Names], Action = "SCMP_ACT_ALLOW", Includes = new() { Caps = [c.Cap] } }));
        // Without CAP_SYS_ADMIN: clone only without namespace flags (the flags are argument 0,
        // except on s390 where they are argument 1) …
        rules.Add(new()
        {
            Names = ["clone"],
            Action = "SCMP_ACT_ALLOW",
            Args = [new() { Index = 0, Value = NamespaceCloneFlags, ValueTwo = 0, Op = "SCMP_CMP_MASKED_EQ" }],
            Excludes = new() { Caps = ["CAP_SYS_ADMIN"], Arches = ["s390", "s390x"] },
        });
        rules.Add(new()
        {
            Names = ["clone"],
            Action = "SCMP_ACT_ALLOW",
            Args = [new() { Index = 1, Value = NamespaceCloneFlags, ValueTwo = 0, Op = "SCMP_CMP_MASKED_EQ" }],
            Includes = new() { Arches = ["s390", "s390x"] },
            Excludes = new() { Caps = ["CAP_SYS_ADMIN"] },
        });
        // … and clone3, whose flags live in a struct seccomp cannot read, fails with ENOSYS so
        // that libc falls back to clone(2), which the rule above can check.
        rules.Add(new() { Names = ["clone3"], Action = "SCMP_ACT_ERRNO", ErrnoRet = ENOSYS, Excludes = new() { Caps = ["CAP_SYS_ADMIN"] } });

        return new SeccompProfile
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            DefaultErrnoRet = EPERM,
            ArchMap =
            [
                new() { Architecture = "SCMP_ARCH_X86_64", SubArchitectures = ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] },
                new() { Architecture = "SCMP_ARCH_AARCH64", SubArchitectures = ["SCMP_ARCH_ARM"] },
                new() { Architecture = "SCMP_ARCH_S390X", SubArchitectures = ["SCMP_ARCH_S390"] },
                new() { Architecture = "SCMP_ARCH_RISCV64" },
            ],
            Syscalls = rules,
        };
    }

    private static SeccompRule Allow(string[] names) => new() { Names = [.. names], Action = "SCMP_ACT_ALLOW" };
}
