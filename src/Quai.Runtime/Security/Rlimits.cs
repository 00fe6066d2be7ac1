using System.Collections.Frozen;
using Quai.Linux;
using Quai.Linux.Interop;
using Quai.Oci.Runtime;

namespace Quai.Runtime.Security;

/// <summary>process.rlimits (config.md#posix-process): RLIMIT_* names → setrlimit(2).</summary>
public static unsafe class Rlimits
{
    // asm-generic/resource.h (x86-64, aarch64, riscv64; MIPS and SPARC number some differently).
    private static readonly FrozenDictionary<string, int> Resources = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["RLIMIT_CPU"] = 0,
        ["RLIMIT_FSIZE"] = 1,
        ["RLIMIT_DATA"] = 2,
        ["RLIMIT_STACK"] = 3,
        ["RLIMIT_CORE"] = 4,
        ["RLIMIT_RSS"] = 5,
        ["RLIMIT_NPROC"] = 6,
        ["RLIMIT_NOFILE"] = 7,
        ["RLIMIT_MEMLOCK"] = 8,
        ["RLIMIT_AS"] = 9,
        ["RLIMIT_LOCKS"] = 10,
        ["RLIMIT_SIGPENDING"] = 11,
        ["RLIMIT_MSGQUEUE"] = 12,
        ["RLIMIT_NICE"] = 13,
        ["RLIMIT_RTPRIO"] = 14,
        ["RLIMIT_RTTIME"] = 15,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Every RLIMIT_* name.</summary>
    public static IEnumerable<string> Names => Resources.Keys;

    /// <summary>The resource number of <paramref name="name"/>; an error naming it when unknown.</summary>
    public static int ResourceNumber(string name) =>
        Resources.TryGetValue(name, out var number)
            ? number
            : throw new ArgumentException($"process.rlimits: unknown limit \"{name}\"; expected one of {string.Join(", ", Resources.Keys.Order(StringComparer.Ordinal))}");

    /// <summary>Checks every name and that soft ≤ hard, before anything is applied.</summary>
    public static void Validate(IEnumerable<Rlimit> limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var limit in limits)
        {
            ResourceNumber(limit.Type);
            if (!seen.Add(limit.Type))
            {
                throw new ArgumentException($"process.rlimits: {limit.Type} is given more than once");
            }
            if (limit.Soft > limit.Hard)
            {
                throw new ArgumentException($"process.rlimits: {limit.Type} soft limit {Format(limit.Soft)} is above its hard limit {Format(limit.Hard)}");
            }
        }
    }

    /// <summary>
    /// Sets each limit on the calling process with setrlimit(2). Raising a hard limit needs
    /// CAP_SYS_RESOURCE; see <see cref="Decide"/> for when a refusal is not an error.
    /// </summary>
    /// <remarks>
    /// The address-space limits (<see cref="IsAddressSpace"/>) only get their hard limit raised
    /// here, when asked for: this process (a Native AOT runtime whose GC reserves far more address
    /// space than any such limit) could not map another page under them, so seccomp_load and the
    /// execve argument arrays would fail with ENOMEM. <see cref="ApplyAddressSpace"/> sets them
    /// just before execve; lowering a limit needs no capability.
    /// </remarks>
    public static void Apply(IEnumerable<Rlimit> limits)
    {
        var list = limits.ToList();
        Validate(list);
        foreach (var limit in list)
        {
            var resource = ResourceNumber(limit.Type);
            Libc.RLimit current;
            LinuxException.ThrowIfError(Libc.Getrlimit(resource, &current), "getrlimit", limit.Type);
            var (soft, hard) = (limit.Soft, limit.Hard);
            if (IsAddressSpace(limit.Type))
            {
                if (hard <= current.Maximum)
                {
                    continue;
                }
                // Raise the hard limit now, while CAP_SYS_RESOURCE is held, keeping the soft one.
                soft = current.Current;
            }
            Set(limit.Type, resource, soft, hard, current);
        }
    }

    /// <summary>
    /// Sets RLIMIT_AS and RLIMIT_DATA to their configured values: the last step before execve(2),
    /// once nothing more needs to be mapped (see <see cref="Apply"/>).
    /// </summary>
    public static void ApplyAddressSpace(IEnumerable<Rlimit> limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        foreach (var limit in limits)
        {
            if (!IsAddressSpace(limit.Type))
            {
                continue;
            }
            var resource = ResourceNumber(limit.Type);
            Libc.RLimit current;
            LinuxException.ThrowIfError(Libc.Getrlimit(resource, &current), "getrlimit", limit.Type);
            Set(limit.Type, resource, limit.Soft, limit.Hard, current);
        }
    }

    /// <summary>True for the limits on mapped memory, RLIMIT_AS and RLIMIT_DATA (getrlimit(2)), which <see cref="ApplyAddressSpace"/> sets last.</summary>
    public static bool IsAddressSpace(string name) => name is "RLIMIT_AS" or "RLIMIT_DATA";

    private static void Set(string name, int resource, ulong soft, ulong hard, Libc.RLimit current)
    {
        var wanted = new Libc.RLimit { Current = soft, Maximum = hard };
        var errno = Libc.Setrlimit(resource, &wanted) == 0 ? 0 : System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        var error = Decide(name, errno, soft, hard, current.Current, current.Maximum);
        if (error is not null)
        {
            throw new InvalidOperationException(error, new LinuxException("setrlimit", errno, name));
        }
    }

    /// <summary>
    /// Decides the outcome of setrlimit: null when it succeeded, or failed with EPERM while the
    /// requested soft and hard limits already are the current ones (nothing to change);
    /// otherwise the error text, naming the limit, the requested and the current values.
    /// </summary>
    public static string? Decide(string name, int errno, ulong softWanted, ulong hardWanted, ulong softCurrent, ulong hardCurrent)
    {
        if (errno == 0)
        {
            return null;
        }
        if (errno == Errnos.EPERM && softWanted == softCurrent && hardWanted == hardCurrent)
        {
            return null;
        }
        var text = $"cannot set {name} to soft {Format(softWanted)}, hard {Format(hardWanted)} (current soft {Format(softCurrent)}, hard {Format(hardCurrent)}): {Errnos.Describe(errno)}";
        if (errno == Errnos.EPERM && hardWanted > hardCurrent)
        {
            text += $"; raising the hard limit needs CAP_SYS_RESOURCE, which this process lacks: ask for at most {Format(hardCurrent)}";
        }
        else if (errno == Errnos.EPERM && name == "RLIMIT_NOFILE")
        {
            text += "; RLIMIT_NOFILE cannot exceed /proc/sys/fs/nr_open";
        }
        return text;
    }

    private static string Format(ulong value) => value == Libc.RLIM_INFINITY ? "unlimited" : value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
