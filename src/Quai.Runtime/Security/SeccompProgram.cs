using Microsoft.Win32.SafeHandles;
using Quai.Linux;
using Quai.Linux.Interop;
using Quai.Linux.Seccomp;
using Quai.Oci.Runtime;

namespace Quai.Runtime.Security;

/// <summary>
/// A seccomp filter compiled from linux.seccomp (config-linux.md#seccomp) with libseccomp,
/// ready to load on the thread that will execve.
/// </summary>
/// <remarks>
/// <para><see cref="Compile"/> does all parsing and every libseccomp call that may load the
/// library lazily, so call it BEFORE pivot_root (runtime-notes.md trap 4). <see cref="Load"/>
/// only installs the filter on the calling thread.</para>
/// <para>The filter never sets no_new_privs itself (SCMP_FLTATR_CTL_NNP = 0, as runc does): the
/// kernel then accepts it only from a thread that has no_new_privs or CAP_SYS_ADMIN
/// (seccomp(2)). Required order for the container's init, on the exec'ing thread:</para>
/// <list type="number">
/// <item>before pivot_root: <c>SeccompProgram.Compile</c>, <c>CapabilityPlan.From</c>;</item>
/// <item>if process.noNewPrivileges: <c>ThreadCapabilities.SetNoNewPrivileges()</c>;</item>
/// <item>if NOT noNewPrivileges: <see cref="Load"/> now, while the thread still has CAP_SYS_ADMIN;</item>
/// <item><c>CapabilityPlan.PrepareForUserChange()</c>, setgroups/setresgid/setresuid, <c>CapabilityPlan.Apply()</c>;</item>
/// <item>if noNewPrivileges: <see cref="Load"/> now (after the capability drop, so the filter
/// need not allow the runtime's own capset/prctl calls);</item>
/// <item>execve.</item>
/// </list>
/// <see cref="ProcessSecurity"/> does exactly this.
/// </remarks>
public sealed partial class SeccompProgram : IDisposable
{
    // Exactly one of the two: a libseccomp filter, or the BPF program a cache file held.
    private readonly SeccompFilterHandle? filter;
    private readonly byte[]? cachedBpf;
    private bool loaded;
    private bool disposed;

    private SeccompProgram(SeccompFilterHandle? filter, byte[]? cachedBpf, uint defaultAction, IReadOnlyList<string> unknownSyscalls, int ruleCount, bool usesNotify)
    {
        this.filter = filter;
        this.cachedBpf = cachedBpf;
        DefaultAction = defaultAction;
        UnknownSyscalls = unknownSyscalls;
        RuleCount = ruleCount;
        UsesNotify = usesNotify;
    }

    /// <summary>True when the program came from the compiled-filter cache instead of libseccomp.</summary>
    public bool FromCache => cachedBpf is not null;

    /// <summary>The libseccomp default action.</summary>
    public uint DefaultAction { get; }

    /// <summary>Syscall names neither libseccomp nor the kernel know; their rules were skipped.</summary>
    public IReadOnlyList<string> UnknownSyscalls { get; }

    /// <summary>How many libseccomp rules were added.</summary>
    public int RuleCount { get; }

    /// <summary>True when a rule uses SCMP_ACT_NOTIFY (the filter then has a notification fd).</summary>
    public bool UsesNotify { get; }

    /// <summary>
    /// Builds the filter for <paramref name="spec"/>. Errors (unknown action, operator, flag or
    /// architecture, errnoRet on a non-errno action, a rule libseccomp refuses) name the rule.
    /// Unknown syscall names and rules whose action is the default action are skipped.
    /// </summary>
    /// <param name="spec">linux.seccomp.</param>
    /// <param name="warn">Receives warnings (skipped architectures and syscalls).</param>
    /// <param name="listenerState">The container state to send to linux.seccomp.listenerPath with the notification fd; required when a listener is configured.</param>
    /// <param name="cacheDirectory">Where compiled filters are kept (<see cref="SeccompCache"/>); null: no cache.</param>
    public static SeccompProgram Compile(LinuxSeccomp spec, Action<string>? warn = null, State? listenerState = null, string? cacheDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var cacheKey = cacheDirectory is not null && SeccompCache.Applies(spec) ? SeccompCache.KeyFor(cacheDirectory, spec) : null;
        if (cacheKey is not null && SeccompCache.TryRead(cacheKey) is { } hit)
        {
            if (hit.UnknownSyscalls.Count > 0)
            {
                warn?.Invoke($"seccomp: skipped {hit.UnknownSyscalls.Count} syscall name(s) unknown to libseccomp: {string.Join(", ", hit.UnknownSyscalls)}");
            }
            return new SeccompProgram(null, hit.Bpf, hit.DefaultAction, hit.UnknownSyscalls, hit.RuleCount, usesNotify: false);
        }
        var compiled = CompileWithLibseccomp(spec, warn, listenerState);
        if (cacheKey is not null)
        {
            SeccompCache.TryWrite(cacheKey, new SeccompCache.Entry(compiled.ExportBpf(), compiled.DefaultAction, compiled.RuleCount, compiled.UnknownSyscalls));
        }
        return compiled;
    }

    private static SeccompProgram CompileWithLibseccomp(LinuxSeccomp spec, Action<string>? warn, State? listenerState)
    {
        LibSeccomp.Preload();

        var defaultAction = SeccompMapping.ParseAction(spec.DefaultAction, spec.DefaultErrnoRet, "linux.seccomp.defaultAction");
        if (defaultAction == SeccompActions.Notify)
        {
            // The runtime itself makes syscalls between loading the filter and execve; with a
            // notify default it would block on its own listener (runc refuses this too).
            throw new ArgumentException("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action; use it in syscalls rules");
        }

        var filter = LibSeccomp.SeccompInit(defaultAction);
        if (filter.IsInvalid)
        {
            filter.Dispose();
            throw new InvalidOperationException($"seccomp_init({spec.DefaultAction}) failed: libseccomp refused the default action or is out of memory");
        }
        try
        {
            // no_new_privs is the caller's decision (process.noNewPrivileges), not libseccomp's.
            LibSeccomp.ThrowIfError(LibSeccomp.SeccompAttrSet(filter, SeccompFilterAttribute.CtlNnp, 0), "seccomp_attr_set", "SCMP_FLTATR_CTL_NNP");
            // Kernel errors from seccomp_load come back as -ECANCELED unless raw codes are asked
            // for (libseccomp 2.5+); the raw EACCES is what tells the caller the order is wrong.
            _ = LibSeccomp.SeccompAttrSet(filter, SeccompFilterAttribute.ApiSysRawRc, 1);
            ApplyFlags(filter, spec.Flags);
            AddArchitectures(filter, spec.Architectures, warn);

            var unknown = new List<string>();
            var rules = 0;
            var usesNotify = false;
            for (var i = 0; i < (spec.Syscalls?.Count ?? 0); i++)
            {
                var rule = spec.Syscalls![i];
                var where = $"linux.seccomp.syscalls[{i}]";
                var action = SeccompMapping.ParseAction(rule.Action, rule.ErrnoRet, where);
                if (action == defaultAction)
                {
                    // libseccomp refuses a rule that repeats the default action (EACCES); it would
                    // change nothing anyway.
                    continue;
                }
                if (action == SeccompActions.Notify)
                {
                    CheckNotifyRule(spec, rule, where);
                    usesNotify = true;
                }
                var conditions = ParseConditions(rule, where);
                foreach (var name in rule.Names)
                {
                    var number = LibSeccomp.SeccompSyscallResolveName(name);
                    if (number == LibSeccomp.NrScmpError)
                    {
                        // Profiles (docker's default among them) name syscalls newer than this
                        // kernel or libseccomp: skip them, as runc does.
                        if (!unknown.Contains(name))
                        {
                            unknown.Add(name);
                        }
                        continue;
                    }
                    rules += AddRule(filter, action, number, name, conditions, where);
                }
            }
            if (unknown.Count > 0)
            {
                warn?.Invoke($"seccomp: skipped {unknown.Count} syscall name(s) unknown to libseccomp {LibSeccomp.LibraryVersion}: {string.Join(", ", unknown)}");
            }

            var program = new SeccompProgram(filter, null, defaultAction, unknown, rules, usesNotify);
            if (!string.IsNullOrEmpty(spec.ListenerPath))
            {
                program.ConnectListener(spec, listenerState);
            }
            return program;
        }
        catch
        {
            filter.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Installs the filter on the calling thread (seccomp_load(3)); see the class remarks for
    /// when. With a listener, sends the notification fd and the container state to it.
    /// </summary>
    public void Load()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (loaded)
        {
            throw new InvalidOperationException("the seccomp filter is already loaded on this thread");
        }
        var rc = cachedBpf is not null ? SeccompCache.Install(cachedBpf) : LibSeccomp.SeccompLoad(filter!);
        if (rc < 0)
        {
            var hint = -rc == Errnos.EACCES || -rc == Errnos.EPERM
                ? "; loading a filter needs no_new_privs or CAP_SYS_ADMIN: load it before dropping capabilities, or set process.noNewPrivileges"
                : "";
            throw new InvalidOperationException($"seccomp_load failed: {Errnos.Describe(-rc)}{hint}", new LinuxException("seccomp_load", -rc));
        }
        loaded = true;
        SendToListener();
    }

    /// <summary>The compiled classic BPF program (seccomp_export_bpf(3)), for inspection and tests.</summary>
    public byte[] ExportBpf()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (cachedBpf is not null)
        {
            return [.. cachedBpf];
        }
        using var memfd = new SafeFileHandle(
            LinuxException.ThrowIfError(Libc.MemfdCreate("quai-seccomp-bpf", Libc.MFD_CLOEXEC), "memfd_create", "quai-seccomp-bpf"),
            ownsHandle: true);
        LibSeccomp.ThrowIfError(LibSeccomp.SeccompExportBpf(filter!, (int)memfd.DangerousGetHandle()), "seccomp_export_bpf");
        var bytes = new byte[RandomAccess.GetLength(memfd)];
        var read = 0;
        while (read < bytes.Length)
        {
            var n = RandomAccess.Read(memfd, bytes.AsSpan(read), read);
            if (n == 0)
            {
                break;
            }
            read += n;
        }
        return bytes;
    }

    /// <summary>Releases the libseccomp context (a loaded filter stays in the kernel) and any listener socket.</summary>
    public void Dispose()
    {
        disposed = true;
        filter?.Dispose();
        listener?.Dispose();
    }

    private static void ApplyFlags(SeccompFilterHandle filter, List<string>? flags)
    {
        foreach (var flag in flags ?? [])
        {
            var (attribute, minimum) = SeccompMapping.ParseFlag(flag);
            var version = LibSeccomp.LibraryVersion;
            if (version < minimum)
            {
                throw new NotSupportedException($"linux.seccomp.flags: {flag} needs libseccomp {minimum} or newer; this host has {version}. Remove the flag or upgrade libseccomp2.");
            }
            var rc = LibSeccomp.SeccompAttrSet(filter, attribute, 1);
            if (rc < 0)
            {
                throw new NotSupportedException($"linux.seccomp.flags: {flag} is not supported by this kernel and libseccomp {version}: {Errnos.Describe(-rc)}");
            }
        }
    }

    private static void AddArchitectures(SeccompFilterHandle filter, List<string>? architectures, Action<string>? warn)
    {
        foreach (var arch in architectures ?? [])
        {
            if (!SeccompArchitectures.TryGet(arch, out _, out var libName))
            {
                throw new ArgumentException($"linux.seccomp.architectures: unknown architecture \"{arch}\"; expected a name such as SCMP_ARCH_X86_64 or SCMP_ARCH_AARCH64");
            }
            var token = LibSeccomp.SeccompArchResolveName(libName);
            if (token == 0)
            {
                warn?.Invoke($"seccomp: architecture {arch} is not supported by libseccomp {LibSeccomp.LibraryVersion}: skipped");
                continue;
            }
            var rc = LibSeccomp.SeccompArchAdd(filter, token);
            if (rc < 0 && -rc != Errnos.EEXIST)
            {
                throw new LinuxException("seccomp_arch_add", -rc, arch);
            }
        }
    }

    private static List<ScmpArgCmp> ParseConditions(LinuxSyscall rule, string where)
    {
        var conditions = new List<ScmpArgCmp>();
        for (var j = 0; j < (rule.Args?.Count ?? 0); j++)
        {
            var arg = rule.Args![j];
            if (arg.Index > 5)
            {
                throw new ArgumentException($"{where}.args[{j}]: index {arg.Index} is out of range; a syscall has arguments 0 to 5");
            }
            conditions.Add(new ScmpArgCmp
            {
                Arg = arg.Index,
                Op = SeccompMapping.ParseOperator(arg.Op, $"{where}.args[{j}]"),
                DatumA = arg.Value,
                DatumB = arg.ValueTwo,
            });
        }
        return conditions;
    }

    private static unsafe int AddRule(SeccompFilterHandle filter, uint action, int number, string name, List<ScmpArgCmp> conditions, string where)
    {
        var added = 0;
        foreach (var group in SeccompMapping.GroupConditions(conditions))
        {
            fixed (ScmpArgCmp* args = group)
            {
                var rc = LibSeccomp.SeccompRuleAddArray(filter, action, number, (uint)group.Length, args);
                if (rc < 0)
                {
                    throw new ArgumentException($"{where}: libseccomp refused the rule for syscall {name} (action {action:x8}, {group.Length} condition(s)): {Errnos.Describe(-rc)}");
                }
            }
            added++;
        }
        return added;
    }
}
