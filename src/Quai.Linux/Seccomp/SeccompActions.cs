namespace Quai.Linux.Seccomp;

/// <summary>SCMP_ACT_* action values (seccomp.h, seccomp_rule_add(3)).</summary>
public static class SeccompActions
{
    /// <summary>SCMP_ACT_KILL_PROCESS: the whole process dies with SIGSYS.</summary>
    public const uint KillProcess = 0x80000000;

    /// <summary>SCMP_ACT_KILL_THREAD (= SCMP_ACT_KILL): the thread dies with SIGSYS.</summary>
    public const uint KillThread = 0x00000000;

    /// <summary>SCMP_ACT_TRAP: SIGSYS is delivered to the thread.</summary>
    public const uint Trap = 0x00030000;

    /// <summary>SCMP_ACT_NOTIFY: a user-space supervisor decides (seccomp_notify_fd).</summary>
    public const uint Notify = 0x7fc00000;

    /// <summary>SCMP_ACT_LOG: allowed and logged.</summary>
    public const uint Log = 0x7ffc0000;

    /// <summary>SCMP_ACT_ALLOW.</summary>
    public const uint Allow = 0x7fff0000;

    /// <summary>SCMP_ACT_ERRNO(errno): the call fails with <paramref name="errno"/> (low 16 bits).</summary>
    public static uint Errno(uint errno) => 0x00050000 | (errno & 0x0000ffff);

    /// <summary>SCMP_ACT_TRACE(msg): a ptrace tracer is notified with <paramref name="message"/>.</summary>
    public static uint Trace(uint message) => 0x7ff00000 | (message & 0x0000ffff);
}
