namespace Quai.Linux.Seccomp;

/// <summary>enum scmp_filter_attr (seccomp.h, seccomp_attr_set(3)).</summary>
public enum SeccompFilterAttribute
{
    /// <summary>SCMP_FLTATR_ACT_DEFAULT (read-only).</summary>
    ActDefault = 1,

    /// <summary>SCMP_FLTATR_ACT_BADARCH: the action for a syscall from an architecture not in the filter.</summary>
    ActBadArch = 2,

    /// <summary>SCMP_FLTATR_CTL_NNP: seccomp_load sets no_new_privs first (default 1).</summary>
    CtlNnp = 3,

    /// <summary>SCMP_FLTATR_CTL_TSYNC: SECCOMP_FILTER_FLAG_TSYNC, load on every thread.</summary>
    CtlTsync = 4,

    /// <summary>SCMP_FLTATR_API_TSKIP: allow rules on syscall -1.</summary>
    ApiTskip = 5,

    /// <summary>SCMP_FLTATR_CTL_LOG: SECCOMP_FILTER_FLAG_LOG.</summary>
    CtlLog = 6,

    /// <summary>SCMP_FLTATR_CTL_SSB: SECCOMP_FILTER_FLAG_SPEC_ALLOW.</summary>
    CtlSsb = 7,

    /// <summary>SCMP_FLTATR_CTL_OPTIMIZE: 1 = priority order, 2 = binary tree.</summary>
    CtlOptimize = 8,

    /// <summary>SCMP_FLTATR_API_SYSRAWRC: return raw kernel errors.</summary>
    ApiSysRawRc = 9,

    /// <summary>SCMP_FLTATR_CTL_WAITKILL: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (libseccomp 2.6).</summary>
    CtlWaitKill = 10,
}
