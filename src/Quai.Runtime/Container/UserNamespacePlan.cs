using Quai.Linux;
using Quai.Oci.Runtime;

namespace Quai.Runtime.Container;

/// <summary>
/// A container's new user namespace (config-linux.md#user-namespace-mappings): the clone flags of
/// every namespace created with it, so that it owns them, and its uid_map and gid_map text; or,
/// for exec, the existing user namespace to join (<see cref="JoinPath"/>).
/// </summary>
public sealed record UserNamespacePlan(int CloneFlags, string UidMap, string GidMap, string? JoinPath = null)
{
    /// <summary>Joining the user namespace at <paramref name="path"/> (/proc/PID/ns/user).</summary>
    public static UserNamespacePlan Join(string path) => new(0, "", "", path);

    /// <summary>
    /// The plan for <paramref name="spec"/>, or null when it asks for no new user namespace. The
    /// cgroup namespace stays out of the flags: the init unshares it once it is in its cgroup.
    /// </summary>
    public static UserNamespacePlan? For(Spec spec)
    {
        var namespaces = spec.Linux?.Namespaces ?? [];
        if (!namespaces.Any(n => n.Type == NamespaceTypes.User && string.IsNullOrEmpty(n.Path)))
        {
            return null;
        }
        var flags = Namespaces.CLONE_NEWUSER;
        foreach (var ns in namespaces.Where(n => string.IsNullOrEmpty(n.Path) && n.Type != NamespaceTypes.Cgroup))
        {
            flags |= Namespaces.FlagOf(ns.Type);
        }
        return new UserNamespacePlan(
            flags,
            CloneSpawn.FormatMap(spec.Linux!.UidMappings!.Select(m => (m.ContainerId, m.HostId, m.Size))),
            CloneSpawn.FormatMap(spec.Linux!.GidMappings!.Select(m => (m.ContainerId, m.HostId, m.Size))));
    }

    /// <summary>The host uid that is root (uid 0) in the container, if the uid map has one.</summary>
    public static uint? HostRootUid(Spec spec) =>
        spec.Linux?.UidMappings?.FirstOrDefault(m => m.ContainerId == 0 && m.Size > 0)?.HostId;
}
