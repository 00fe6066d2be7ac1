using Quai.Linux.Capabilities;
using Quai.Oci.Runtime;

namespace Quai.Runtime.Security;

/// <summary>
/// Everything config.json asks of the container process's privileges, in runc's order
/// (libcontainer/standard_init_linux.go). Use from the container's init, on the thread that will
/// execve:
/// <code>
/// using var security = ProcessSecurity.Prepare(spec.Process, spec.Linux?.Seccomp, state, warn); // before pivot_root
/// // … pivot_root, mounts …
/// security.BeforeUserChange();   // rlimits, oom_score_adj, I/O priority, scheduler, LSM labels, no_new_privs, seccomp (when !noNewPrivileges), keep-caps
/// // setgroups(additionalGids), setresgid(gid), setresuid(uid)
/// security.AfterUserChange();    // capabilities (unless ApplyCapabilities ran), then seccomp (when noNewPrivileges)
/// // close_range(3, ~0, CLOSE_RANGE_CLOEXEC); reset signal dispositions and mask; execve
/// </code>
/// </summary>
public sealed class ProcessSecurity : IDisposable
{
    private readonly Process process;
    private readonly Action<string>? warn;
    private readonly bool appArmorEnabled;
    private readonly bool selinuxEnabled;
    private bool seccompLoaded;
    private bool capabilitiesApplied;

    private ProcessSecurity(Process process, CapabilityPlan capabilities, SeccompProgram? seccomp, Action<string>? warn)
    {
        this.process = process;
        this.warn = warn;
        Capabilities = capabilities;
        Seccomp = seccomp;
        // The LSM switches live in securityfs/selinuxfs/sysfs, which may be absent after
        // pivot_root: read them now.
        appArmorEnabled = !string.IsNullOrEmpty(process.ApparmorProfile) && LabelSupport.AppArmorEnabled;
        selinuxEnabled = !string.IsNullOrEmpty(process.SelinuxLabel) && LabelSupport.SelinuxEnabled;
    }

    /// <summary>The parsed capability sets.</summary>
    public CapabilityPlan Capabilities { get; }

    /// <summary>The compiled seccomp filter, or null when linux.seccomp is absent.</summary>
    public SeccompProgram? Seccomp { get; }

    /// <summary>
    /// Parses and validates everything (capability names, rlimit names, priorities) and compiles
    /// the seccomp filter; call before pivot_root, so libseccomp is loaded and errors come early.
    /// </summary>
    public static ProcessSecurity Prepare(Process process, LinuxSeccomp? seccomp, State? listenerState = null, Action<string>? warn = null, string? seccompCacheDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(process);
        var capabilities = CapabilityPlan.From(process.Capabilities, warn);
        Rlimits.Validate(process.Rlimits ?? []);
        if (process.IoPriority is not null)
        {
            ProcessPriority.IoPriorityValue(process.IoPriority);
        }
        if (process.Scheduler is not null)
        {
            ProcessPriority.SchedulerAttributes(process.Scheduler);
        }
        var program = seccomp is null ? null : SeccompProgram.Compile(seccomp, warn, listenerState, seccompCacheDirectory);
        return new ProcessSecurity(process, capabilities, program, warn);
    }

    /// <summary>
    /// The steps that need the init's full privileges, before setresuid: rlimits, oom_score_adj,
    /// I/O priority, scheduler, LSM labels, no_new_privs, the seccomp filter when no_new_privs is
    /// off (it then needs CAP_SYS_ADMIN), and keep-caps.
    /// </summary>
    public void BeforeUserChange()
    {
        Rlimits.Apply(process.Rlimits ?? []);
        if (process.OomScoreAdj is { } oom)
        {
            OomScoreAdj.Apply(oom);
        }
        if (process.IoPriority is not null)
        {
            ProcessPriority.ApplyIoPriority(process.IoPriority);
        }
        if (process.Scheduler is not null)
        {
            ProcessPriority.ApplyScheduler(process.Scheduler);
        }
        foreach (var warning in LabelSupport.Apply(process.ApparmorProfile, process.SelinuxLabel, appArmorEnabled, selinuxEnabled))
        {
            warn?.Invoke(warning);
        }
        if (process.NoNewPrivileges)
        {
            ThreadCapabilities.SetNoNewPrivileges();
        }
        else if (Seccomp is not null)
        {
            Seccomp.Load();
            seccompLoaded = true;
        }
        CapabilityPlan.PrepareForUserChange();
    }

    /// <summary>
    /// The steps after setresuid: the capability sets, then the seccomp filter when
    /// no_new_privs is on. The next call should be execve.
    /// </summary>
    public void AfterUserChange()
    {
        ApplyCapabilities();
        if (Seccomp is not null && !seccompLoaded)
        {
            Seccomp.Load();
            seccompLoaded = true;
        }
    }

    /// <summary>
    /// The capability sets alone, once: the container's init calls it before reporting itself
    /// created, so that a capset failure is a `create` error (runtime.md#create) rather than a
    /// program that silently never runs after `start` (runc's finalizeNamespace runs as early).
    /// <see cref="AfterUserChange"/> then only loads the seccomp filter.
    /// </summary>
    public void ApplyCapabilities()
    {
        if (capabilitiesApplied)
        {
            return;
        }
        Capabilities.Apply();
        capabilitiesApplied = true;
    }

    /// <summary>Releases the seccomp context.</summary>
    public void Dispose() => Seccomp?.Dispose();
}
