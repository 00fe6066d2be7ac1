using System.Text.Json;
using Quai.Oci;
using Quai.Oci.Runtime;

namespace Quai.Runtime.Container;

/// <summary>Reads and validates a bundle's config.json before anything is created (runtime.md#create).</summary>
public static class SpecLoader
{
    /// <summary>Loads BUNDLE/config.json.</summary>
    public static Spec Load(string bundle)
    {
        var path = Path.Combine(bundle, "config.json");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RuntimeException($"bundle {bundle} has no config.json: create one with `quai-runtime spec --bundle {bundle}`");
        }
        try
        {
            return SpecJson.ParseSpec(bytes);
        }
        catch (JsonException e)
        {
            throw new RuntimeException($"{path} is not a valid OCI config: {e.Message}", e);
        }
    }

    /// <summary>Checks what the runtime needs: a process with args, an existing root, supported namespaces.</summary>
    public static void Validate(Spec spec, string bundle)
    {
        if (spec.Process is null)
        {
            throw new RuntimeException($"{bundle}/config.json has no process: `create` needs one (config.md#process)");
        }
        if (spec.Process.Args is not { Count: > 0 } || string.IsNullOrEmpty(spec.Process.Args[0]))
        {
            throw new RuntimeException($"{bundle}/config.json: process.args must not be empty (give the program to run)");
        }
        if (string.IsNullOrEmpty(spec.Process.Cwd) || !spec.Process.Cwd.StartsWith('/'))
        {
            throw new RuntimeException($"{bundle}/config.json: process.cwd \"{spec.Process.Cwd}\" must be an absolute path");
        }
        var root = spec.Root?.Path;
        if (string.IsNullOrEmpty(root))
        {
            throw new RuntimeException($"{bundle}/config.json has no root.path: set it to the root filesystem directory");
        }
        var rootfs = Path.GetFullPath(Path.Combine(bundle, root));
        if (!Directory.Exists(rootfs))
        {
            throw new RuntimeException($"root.path {rootfs} does not exist: unpack the root filesystem there or fix root.path");
        }
        var namespaces = spec.Linux?.Namespaces ?? [];
        foreach (var ns in namespaces)
        {
            if (Linux.Namespaces.FlagOf(ns.Type) == 0)
            {
                throw new RuntimeException($"linux.namespaces: unknown namespace type \"{ns.Type}\"");
            }
            if (ns.Type == NamespaceTypes.Time)
            {
                throw new RuntimeException($"{ns.Type} namespaces are not supported by quai-runtime yet: remove the \"{ns.Type}\" entry from linux.namespaces");
            }
            if (ns.Type == NamespaceTypes.User && !string.IsNullOrEmpty(ns.Path))
            {
                // setns(CLONE_NEWUSER) needs a single-threaded caller (setns(2)), which a .NET process never is.
                throw new RuntimeException($"joining a user namespace by path ({ns.Path}) is not supported by quai-runtime: give the container a new user namespace with linux.uidMappings and gidMappings, or use runc");
            }
        }
        ValidateUserNamespace(spec, namespaces);
        if (!namespaces.Any(n => n.Type == NamespaceTypes.Mount))
        {
            throw new RuntimeException("linux.namespaces must include a \"mount\" namespace: quai-runtime does not build a rootfs in the host's mount namespace");
        }
        if (spec.Linux?.IntelRdt is not null)
        {
            throw new RuntimeException("linux.intelRdt is not supported by quai-runtime: remove it from config.json");
        }
    }

    /// <summary>
    /// config-linux.md#user-namespace-mappings: the mappings come with a new user namespace and
    /// both are given; the namespaces created with it are owned by it, so a mount namespace must be
    /// new too (one joined by path belongs to another user namespace, where the init has no rights).
    /// </summary>
    private static void ValidateUserNamespace(Spec spec, List<LinuxNamespace> namespaces)
    {
        var newUser = namespaces.Any(n => n.Type == NamespaceTypes.User && string.IsNullOrEmpty(n.Path));
        var hasMappings = spec.Linux?.UidMappings is { Count: > 0 } || spec.Linux?.GidMappings is { Count: > 0 };
        if (!newUser)
        {
            if (hasMappings)
            {
                throw new RuntimeException("linux.uidMappings/gidMappings are set but linux.namespaces has no \"user\" namespace: add {\"type\": \"user\"} or remove the mappings");
            }
            return;
        }
        if (spec.Linux?.UidMappings is not { Count: > 0 } || spec.Linux?.GidMappings is not { Count: > 0 })
        {
            throw new RuntimeException("a new user namespace needs both linux.uidMappings and linux.gidMappings (e.g. {\"containerID\": 0, \"hostID\": 100000, \"size\": 65536})");
        }
        if (spec.Linux.UidMappings.Count > 340 || spec.Linux.GidMappings.Count > 340 || spec.Linux.UidMappings.Concat(spec.Linux.GidMappings).Any(m => m.Size == 0))
        {
            throw new RuntimeException("linux.uidMappings/gidMappings: at most 340 ranges, each with a size above 0 (user_namespaces(7))");
        }
        if (namespaces.Any(n => n.Type == NamespaceTypes.Mount && !string.IsNullOrEmpty(n.Path)))
        {
            throw new RuntimeException("a new user namespace needs a new mount namespace: remove the mount namespace's path");
        }
        if (!Linux.CloneSpawn.Supported)
        {
            throw new RuntimeException($"user namespaces are not supported by quai-runtime on {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture} yet (x86-64 only)");
        }
    }
}
