using Quai.Linux.Interop;

namespace Quai.Linux.Capabilities;

/// <summary>
/// The calling thread's capabilities (capabilities(7)). Every call here acts on the calling
/// thread only: call them from the thread that will execve.
/// </summary>
public static unsafe class ThreadCapabilities
{
    /// <summary>The calling thread's effective, permitted and inheritable sets (capget(2), v3).</summary>
    public static CapabilitySets Get()
    {
        var header = new Libc.CapUserHeader { Version = Libc.LinuxCapabilityVersion3, Pid = 0 };
        var data = stackalloc Libc.CapUserData[2];
        LinuxException.ThrowIfError(Libc.Capget(&header, data), "capget");
        return new CapabilitySets(
            Effective: data[0].Effective | ((ulong)data[1].Effective << 32),
            Permitted: data[0].Permitted | ((ulong)data[1].Permitted << 32),
            Inheritable: data[0].Inheritable | ((ulong)data[1].Inheritable << 32));
    }

    /// <summary>
    /// Sets the calling thread's three sets (capset(2), v3 header 0x20080522). Effective must be
    /// a subset of permitted; permitted may only shrink; inheritable is bounded by the bounding set.
    /// </summary>
    public static void Set(ulong effective, ulong permitted, ulong inheritable)
    {
        var header = new Libc.CapUserHeader { Version = Libc.LinuxCapabilityVersion3, Pid = 0 };
        var data = stackalloc Libc.CapUserData[2];
        data[0] = new Libc.CapUserData { Effective = (uint)effective, Permitted = (uint)permitted, Inheritable = (uint)inheritable };
        data[1] = new Libc.CapUserData { Effective = (uint)(effective >> 32), Permitted = (uint)(permitted >> 32), Inheritable = (uint)(inheritable >> 32) };
        LinuxException.ThrowIfError(
            Libc.Capset(&header, data),
            "capset",
            $"effective={effective:x16} permitted={permitted:x16} inheritable={inheritable:x16}");
    }

    /// <summary>True when <paramref name="cap"/> is in the calling thread's bounding set (PR_CAPBSET_READ).</summary>
    public static bool InBounding(int cap) =>
        LinuxException.ThrowIfError(Libc.Prctl(Libc.PR_CAPBSET_READ, (ulong)cap, 0, 0, 0), "prctl(PR_CAPBSET_READ)", CapabilityNames.GetName(cap)) == 1;

    /// <summary>The calling thread's bounding set as a mask, for capabilities 0..<see cref="CapabilityNames.LastCap"/>.</summary>
    public static ulong GetBounding()
    {
        ulong mask = 0;
        for (var cap = 0; cap <= CapabilityNames.LastCap; cap++)
        {
            if (InBounding(cap))
            {
                mask |= 1UL << cap;
            }
        }
        return mask;
    }

    /// <summary>
    /// Removes <paramref name="cap"/> from the calling thread's bounding set (PR_CAPBSET_DROP);
    /// needs CAP_SETPCAP in the effective set.
    /// </summary>
    public static void DropBounding(int cap) =>
        LinuxException.ThrowIfError(Libc.Prctl(Libc.PR_CAPBSET_DROP, (ulong)cap, 0, 0, 0), "prctl(PR_CAPBSET_DROP)", CapabilityNames.GetName(cap));

    /// <summary>
    /// Adds <paramref name="cap"/> to the ambient set (PR_CAP_AMBIENT_RAISE); it must already be
    /// in both the permitted and the inheritable set.
    /// </summary>
    public static void RaiseAmbient(int cap) =>
        LinuxException.ThrowIfError(Libc.Prctl(Libc.PR_CAP_AMBIENT, Libc.PR_CAP_AMBIENT_RAISE, (ulong)cap, 0, 0), "prctl(PR_CAP_AMBIENT_RAISE)", CapabilityNames.GetName(cap));

    /// <summary>True when <paramref name="cap"/> is in the ambient set.</summary>
    public static bool InAmbient(int cap) =>
        LinuxException.ThrowIfError(Libc.Prctl(Libc.PR_CAP_AMBIENT, Libc.PR_CAP_AMBIENT_IS_SET, (ulong)cap, 0, 0), "prctl(PR_CAP_AMBIENT_IS_SET)", CapabilityNames.GetName(cap)) == 1;

    /// <summary>Empties the ambient set (PR_CAP_AMBIENT_CLEAR_ALL).</summary>
    public static void ClearAmbient() =>
        LinuxException.ThrowIfError(Libc.Prctl(Libc.PR_CAP_AMBIENT, Libc.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "prctl(PR_CAP_AMBIENT_CLEAR_ALL)");

    /// <summary>
    /// PR_SET_KEEPCAPS: when true, a change of all uids from 0 to non-zero keeps the permitted set
    /// (the effective set is still cleared). Cleared by the kernel on execve.
    /// </summary>
    public static void SetKeepCaps(bool keep) =>
        LinuxException.ThrowIfError(Libc.Prctl(Libc.PR_SET_KEEPCAPS, keep ? 1UL : 0UL, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)");

    /// <summary>Sets no_new_privs on the calling thread (PR_SET_NO_NEW_PRIVS); it cannot be unset.</summary>
    public static void SetNoNewPrivileges() =>
        LinuxException.ThrowIfError(Libc.Prctl(Libc.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)");

    /// <summary>True when no_new_privs is set on the calling thread.</summary>
    public static bool GetNoNewPrivileges() =>
        LinuxException.ThrowIfError(Libc.Prctl(Libc.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), "prctl(PR_GET_NO_NEW_PRIVS)") == 1;
}
