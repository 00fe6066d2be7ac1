using Quai.Linux;

namespace Quai.Runtime.Container;

/// <summary>
/// The runtime binary as the container's init executes it, protected against being overwritten
/// from inside the container (CVE-2019-5736) without copying it: called on the launcher thread
/// right after it unshared a fresh mount namespace, it bind-mounts the binary onto itself
/// read-only there (runc 1.2 takes the same approach), and the init is spawned from that path.
/// </summary>
/// <remarks>
/// Why it holds: the container reaches the init's binary only through /proc/PID/exe (or an fd
/// opened from it), which names the file on this read-only mount, so opening it for writing fails
/// with EROFS, before and after the init execs the user's program. The mount lives only in the
/// container's mount namespace: "/" is made rslave first so nothing propagates back to the host,
/// and pivot_root followed by the detach of the old root takes it out of the container's reach,
/// so it cannot be remounted read-write by path. When the mount namespace is joined by path or
/// --no-pivot keeps the host tree reachable, <see cref="SealedExecutable"/> (a sealed memfd copy)
/// is used instead. Unlike the copy, executing the file itself shares its page cache.
/// </remarks>
public static class ReadOnlySelf
{
    /// <summary>True when <paramref name="spec"/> gives the container a new mount namespace that pivot_root will detach from the host tree.</summary>
    public static bool Applies(Oci.Runtime.Spec spec, bool noPivot) =>
        !noPivot && spec.Linux?.Namespaces?.Any(n => n.Type == Oci.Runtime.NamespaceTypes.Mount && string.IsNullOrEmpty(n.Path)) == true;

    /// <summary>
    /// Bind-mounts <paramref name="binary"/> read-only onto itself in the calling thread's (new)
    /// mount namespace and returns the path to spawn.
    /// </summary>
    public static string Bind(string binary)
    {
        Mounts.SetPropagation("/", MountFlags.MS_SLAVE | MountFlags.MS_REC);
        Mounts.Mount(binary, binary, null, MountFlags.MS_BIND);
        Mounts.Mount(null, binary, null, MountFlags.MS_BIND | MountFlags.MS_REMOUNT | MountFlags.MS_RDONLY);
        RuntimeLog.Debug($"bind {binary} read-only in the container's mount namespace");
        return binary;
    }
}
