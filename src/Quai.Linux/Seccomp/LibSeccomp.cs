using System.Runtime.InteropServices;

namespace Quai.Linux.Seccomp;

/// <summary>
/// libseccomp (libseccomp.so.2, https://github.com/seccomp/libseccomp, seccomp_init(3) and
/// siblings). Calls return 0 or a negative errno (never set errno), so wrap results with
/// <see cref="ThrowIfError"/>. Only the array forms are bound: the variadic
/// seccomp_rule_add cannot be called through a fixed signature.
/// </summary>
public static unsafe partial class LibSeccomp
{
    /// <summary>The soname, as Debian's libseccomp2 installs it.</summary>
    public const string Name = "libseccomp.so.2";

    /// <summary>__NR_SCMP_ERROR: seccomp_syscall_resolve_name's "no such syscall".</summary>
    public const int NrScmpError = -1;

    /// <summary>seccomp_init(3): a new filter context whose default action is <paramref name="defaultAction"/>; invalid on failure.</summary>
    [LibraryImport(Name, EntryPoint = "seccomp_init", SetLastError = true)]
    public static partial SeccompFilterHandle SeccompInit(uint defaultAction);

    /// <summary>seccomp_release(3).</summary>
    [LibraryImport(Name, EntryPoint = "seccomp_release", SetLastError = true)]
    public static partial void SeccompRelease(nint ctx);

    /// <summary>seccomp_rule_add_array(3): <paramref name="args"/> points at <paramref name="count"/> comparisons, all of which must match (AND).</summary>
    [LibraryImport(Name, EntryPoint = "seccomp_rule_add_array", SetLastError = true)]
    public static partial int SeccompRuleAddArray(SeccompFilterHandle ctx, uint action, int syscall, uint count, ScmpArgCmp* args);

    /// <summary>seccomp_arch_add(3): -EEXIST when the architecture is already in the filter.</summary>
    [LibraryImport(Name, EntryPoint = "seccomp_arch_add", SetLastError = true)]
    public static partial int SeccompArchAdd(SeccompFilterHandle ctx, uint archToken);

    /// <summary>seccomp_arch_native(3): the AUDIT_ARCH_* token of the running process.</summary>
    [LibraryImport(Name, EntryPoint = "seccomp_arch_native", SetLastError = true)]
    public static partial uint SeccompArchNative();

    /// <summary>seccomp_arch_resolve_name(3): "x86_64" → token, 0 when libseccomp does not know the name.</summary>
    [LibraryImport(Name, EntryPoint = "seccomp_arch_resolve_name", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint SeccompArchResolveName(string archName);

    /// <summary>seccomp_syscall_resolve_name(3): the native syscall number, or <see cref="NrScmpError"/>.</summary>
    [LibraryImport(Name, EntryPoint = "seccomp_syscall_resolve_name", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SeccompSyscallResolveName(string name);

    /// <summary>seccomp_syscall_resolve_name_arch(3): the number on <paramref name="archToken"/>, or <see cref="NrScmpError"/>.</summary>
    [LibraryImport(Name, EntryPoint = "seccomp_syscall_resolve_name_arch", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SeccompSyscallResolveNameArch(uint archToken, string name);

    /// <summary>seccomp_attr_set(3).</summary>
    [LibraryImport(Name, EntryPoint = "seccomp_attr_set", SetLastError = true)]
    public static partial int SeccompAttrSet(SeccompFilterHandle ctx, SeccompFilterAttribute attribute, uint value);

    /// <summary>seccomp_attr_get(3).</summary>
    [LibraryImport(Name, EntryPoint = "seccomp_attr_get", SetLastError = true)]
    public static partial int SeccompAttrGet(SeccompFilterHandle ctx, SeccompFilterAttribute attribute, uint* value);

    /// <summary>seccomp_load(3): installs the filter on the calling thread (all threads with TSYNC).</summary>
    [LibraryImport(Name, EntryPoint = "seccomp_load", SetLastError = true)]
    public static partial int SeccompLoad(SeccompFilterHandle ctx);

    /// <summary>seccomp_export_bpf(3): writes the compiled BPF program to <paramref name="fd"/>.</summary>
    [LibraryImport(Name, EntryPoint = "seccomp_export_bpf", SetLastError = true)]
    public static partial int SeccompExportBpf(SeccompFilterHandle ctx, int fd);

    /// <summary>seccomp_notify_fd(3): the user-notification fd of a loaded filter with SCMP_ACT_NOTIFY rules.</summary>
    [LibraryImport(Name, EntryPoint = "seccomp_notify_fd", SetLastError = true)]
    public static partial int SeccompNotifyFd(SeccompFilterHandle ctx);

    /// <summary>seccomp_version(3): the library's version (struct scmp_version of three uints).</summary>
    [LibraryImport(Name, EntryPoint = "seccomp_version", SetLastError = true)]
    public static partial uint* SeccompVersion();

    /// <summary>seccomp_api_get(3): the API level the library and kernel support together.</summary>
    [LibraryImport(Name, EntryPoint = "seccomp_api_get", SetLastError = true)]
    public static partial uint SeccompApiGet();

    /// <summary>The loaded library's version, e.g. 2.5.4.</summary>
    public static Version LibraryVersion
    {
        get
        {
            var v = SeccompVersion();
            return new Version((int)v[0], (int)v[1], (int)v[2]);
        }
    }

    /// <summary>Throws a <see cref="LinuxException"/> naming <paramref name="call"/> when <paramref name="rc"/> is a negative errno.</summary>
    public static int ThrowIfError(int rc, string call, string? subject = null) =>
        rc < 0 ? throw new LinuxException(call, -rc, subject) : rc;

    /// <summary>
    /// Binds every libseccomp entry point the runtime calls late, and so loads libseccomp.so.2, now.
    /// P/Invokes bind lazily on first call, and after pivot_root the library file is no longer
    /// reachable (runtime-notes.md trap 4): call this before pivoting. Each call is made with a
    /// NULL context, which libseccomp rejects with -EINVAL before touching anything.
    /// </summary>
    public static void Preload()
    {
        _ = SeccompArchNative();
        using var none = new SeccompFilterHandle();
        _ = SeccompLoad(none);
        _ = SeccompNotifyFd(none);
        _ = SeccompExportBpf(none, -1);
        _ = SeccompAttrSet(none, SeccompFilterAttribute.CtlNnp, 0);
        SeccompRelease(0);
    }
}
