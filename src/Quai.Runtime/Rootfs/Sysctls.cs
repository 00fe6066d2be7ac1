using Quai.Oci.Runtime;

namespace Quai.Runtime.Rootfs;

/// <summary>
/// linux.sysctl (config-linux.md#sysctl): only keys the kernel namespaces may be set, and only
/// when the container has (creates or joins) the namespace that owns them; otherwise writing
/// them would change the host. The rules are runc's (libcontainer/configs/validate).
/// </summary>
public static class Sysctls
{
    private static readonly HashSet<string> IpcKeys = new(StringComparer.Ordinal)
    {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
        "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first key that is not namespaced or whose namespace the container does not have.</summary>
    public static void Validate(Spec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (var key in (spec.Linux?.Sysctl ?? []).Keys)
        {
            var (ns, label) = OwningNamespace(key);
            if (ns is null)
            {
                throw new ArgumentException($"sysctl '{key}' is not namespaced: setting it from a container would change the host; remove it from linux.sysctl and set it on the host instead");
            }
            if (!HasNamespace(spec, ns))
            {
                throw new ArgumentException($"sysctl '{key}' belongs to the {label} namespace, but the container has no {ns} namespace of its own: add {{\"type\": \"{ns}\"}} to linux.namespaces or remove the sysctl");
            }
        }
    }

    /// <summary>Validates, then writes each value to /proc/sys/&lt;key with '.' as '/'&gt;.</summary>
    public static void Apply(Spec spec)
    {
        Validate(spec);
        foreach (var (key, value) in spec.Linux?.Sysctl ?? [])
        {
            var path = PathOf(key);
            try
            {
                File.WriteAllText(path, value);
            }
            catch (IOException e)
            {
                throw new IOException($"cannot set sysctl '{key}' to '{value}' ({path}): {e.Message}", e);
            }
        }
    }

    /// <summary>/proc/sys path of a sysctl key: dots separate directories (sysctl(8)); a key already written with '/' is kept.</summary>
    public static string PathOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var relative = key.Contains('/', StringComparison.Ordinal) ? key.TrimStart('/') : key.Replace('.', '/');
        if (relative.Split('/').Any(p => p is "" or "." or ".."))
        {
            throw new ArgumentException($"sysctl key '{key}' is not a valid name");
        }
        return "/proc/sys/" + relative;
    }

    /// <summary>The namespace type (as config.json spells it) that owns <paramref name="key"/>, or null when it is global.</summary>
    public static (string? Type, string Label) OwningNamespace(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var k = key.Replace('/', '.');
        if (IpcKeys.Contains(k) || k.StartsWith("fs.mqueue.", StringComparison.Ordinal))
        {
            return (NamespaceTypes.Ipc, "IPC");
        }
        if (k.StartsWith("net.", StringComparison.Ordinal))
        {
            return (NamespaceTypes.Network, "network");
        }
        if (k is "kernel.hostname" or "kernel.domainname")
        {
            return (NamespaceTypes.Uts, "UTS");
        }
        return (null, "");
    }

    internal static bool HasNamespace(Spec spec, string type) =>
        spec.Linux?.Namespaces?.Any(n => n.Type == type) == true;
}
