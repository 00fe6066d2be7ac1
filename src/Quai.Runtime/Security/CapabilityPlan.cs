using Quai.Linux.Capabilities;
using OciCapabilities = Quai.Oci.Runtime.Capabilities;

namespace Quai.Runtime.Security;

/// <summary>
/// The five capability sets of config.md#linux-process (process.capabilities), parsed and
/// validated up front, applied to the calling thread just before execve.
/// </summary>
/// <remarks>
/// Call order on the thread that will execve (as runc's finalizeNamespace does):
/// <c>From</c> (before pivot_root, so errors reach the user early) →
/// <see cref="PrepareForUserChange"/> → setgroups/setresgid/setresuid →
/// <see cref="Apply"/> → execve. Keep-caps makes the uid change from 0 keep the permitted set;
/// the kernel still empties the effective set, and <see cref="Apply"/> raises it again before
/// it drops the bounding set (which needs CAP_SETPCAP in effective).
/// A null <c>process.capabilities</c> means every set is empty, as with runc.
/// </remarks>
public sealed class CapabilityPlan
{
    private CapabilityPlan(ulong bounding, ulong effective, ulong permitted, ulong inheritable, ulong ambient, IReadOnlyList<string> skipped)
    {
        Bounding = bounding;
        Effective = effective;
        Permitted = permitted;
        Inheritable = inheritable;
        Ambient = ambient;
        Skipped = skipped;
    }

    /// <summary>The bounding set to keep (every other capability is dropped).</summary>
    public ulong Bounding { get; }

    /// <summary>The effective set.</summary>
    public ulong Effective { get; }

    /// <summary>The permitted set.</summary>
    public ulong Permitted { get; }

    /// <summary>The inheritable set.</summary>
    public ulong Inheritable { get; }

    /// <summary>The ambient set.</summary>
    public ulong Ambient { get; }

    /// <summary>Capability names the spec asked for that the running kernel does not have (skipped).</summary>
    public IReadOnlyList<string> Skipped { get; }

    /// <summary>
    /// Parses <paramref name="capabilities"/>: an unknown name is an error naming it (as runc 1.1
    /// does); a known name newer than the running kernel (above /proc/sys/kernel/cap_last_cap)
    /// is skipped and reported through <paramref name="warn"/>.
    /// </summary>
    public static CapabilityPlan From(OciCapabilities? capabilities, Action<string>? warn = null) =>
        From(capabilities, CapabilityNames.LastCap, warn);

    /// <summary>As <see cref="From(OciCapabilities?, Action{string}?)"/> for a kernel whose last capability is <paramref name="lastCap"/>.</summary>
    public static CapabilityPlan From(OciCapabilities? capabilities, int lastCap, Action<string>? warn = null)
    {
        var skipped = new List<string>();
        ulong Parse(List<string>? names, string set)
        {
            ulong mask = 0;
            foreach (var name in names ?? [])
            {
                if (!CapabilityNames.TryGetNumber(name, out var number))
                {
                    throw new ArgumentException(
                        $"process.capabilities.{set}: unknown capability \"{name}\"; use a name from capabilities(7) such as CAP_NET_BIND_SERVICE");
                }
                if (number > lastCap)
                {
                    if (!skipped.Contains(name))
                    {
                        skipped.Add(name);
                        warn?.Invoke($"capability {name} is not supported by the running kernel (last capability {lastCap}): skipped");
                    }
                    continue;
                }
                mask |= 1UL << number;
            }
            return mask;
        }

        return new CapabilityPlan(
            Parse(capabilities?.Bounding, "bounding"),
            Parse(capabilities?.Effective, "effective"),
            Parse(capabilities?.Permitted, "permitted"),
            Parse(capabilities?.Inheritable, "inheritable"),
            Parse(capabilities?.Ambient, "ambient"),
            skipped);
    }

    /// <summary>
    /// Sets PR_SET_KEEPCAPS so that setresuid from uid 0 to non-zero keeps the permitted set;
    /// call it before changing user, then <see cref="Apply"/>.
    /// </summary>
    public static void PrepareForUserChange() => ThreadCapabilities.SetKeepCaps(true);

    /// <summary>
    /// What to tell the user when capset fails: capset(2) can never add to the permitted set, so
    /// when the runtime's own process lacks some of <paramref name="wantedPermitted"/> (a
    /// restricted bounding set, as in a container) those are named; otherwise the set rules.
    /// </summary>
    internal static string CapsetHint(ulong wantedPermitted, ulong currentPermitted)
    {
        var missing = wantedPermitted & ~currentPermitted;
        if (missing == 0)
        {
            return "effective must be a subset of permitted, and inheritable of bounding";
        }
        var names = Enumerable.Range(0, 64).Where(c => (missing & (1UL << c)) != 0).Select(CapabilityNames.GetName);
        return $"the runtime itself does not hold {string.Join(", ", names)}: drop them from process.capabilities or run the runtime with them";
    }

    /// <summary>
    /// Applies the plan to the calling thread: drops every bounding capability not in
    /// <see cref="Bounding"/>, sets effective/permitted/inheritable with capset, then raises the
    /// ambient ones. Must run on the thread that calls execve, after the user change.
    /// </summary>
    public void Apply()
    {
        var current = ThreadCapabilities.Get();

        // After setresuid(0 → n) with keep-caps the effective set is empty; dropping bounding
        // capabilities needs CAP_SETPCAP in effective (prctl(2) PR_CAPBSET_DROP), so raise
        // effective back to permitted first.
        if (current.Effective != current.Permitted)
        {
            ThreadCapabilities.Set(current.Permitted, current.Permitted, current.Inheritable);
        }

        var lastCap = CapabilityNames.LastCap;
        for (var cap = 0; cap <= lastCap && cap < 64; cap++)
        {
            if ((Bounding & (1UL << cap)) == 0)
            {
                try
                {
                    ThreadCapabilities.DropBounding(cap);
                }
                catch (Quai.Linux.LinuxException e) when (e.Errno == Quai.Linux.Errnos.EPERM)
                {
                    throw new InvalidOperationException(
                        $"cannot drop {CapabilityNames.GetName(cap)} from the bounding set: {e.Message}; the thread lacks CAP_SETPCAP "
                        + "(call CapabilityPlan.PrepareForUserChange before setresuid so the permitted set survives the user change)", e);
                }
            }
        }

        try
        {
            ThreadCapabilities.Set(Effective, Permitted, Inheritable);
        }
        catch (Quai.Linux.LinuxException e)
        {
            throw new InvalidOperationException(
                $"cannot set capabilities (effective {Effective:x16}, permitted {Permitted:x16}, inheritable {Inheritable:x16}): {e.Message}; {CapsetHint(Permitted, current.Permitted)}", e);
        }

        ThreadCapabilities.ClearAmbient();
        for (var cap = 0; cap <= lastCap && cap < 64; cap++)
        {
            if ((Ambient & (1UL << cap)) != 0)
            {
                try
                {
                    ThreadCapabilities.RaiseAmbient(cap);
                }
                catch (Quai.Linux.LinuxException e)
                {
                    throw new InvalidOperationException(
                        $"cannot raise ambient capability {CapabilityNames.GetName(cap)}: {e.Message}; an ambient capability must also be in the permitted and inheritable sets", e);
                }
            }
        }

        // Keep-caps has done its job; the kernel clears it on execve anyway (prctl(2)).
        ThreadCapabilities.SetKeepCaps(false);
    }
}
