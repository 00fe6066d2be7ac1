using Quai.Linux;
using Quai.Oci.Runtime;
using static Quai.Linux.MountFlags;

namespace Quai.Runtime.Rootfs;

/// <summary>
/// Builds the container's root filesystem from config.json, from inside the container's init
/// (already in its new mount namespace): mounts, devices, pivot_root, then the finishing touches
/// (sysctl, masked and read-only paths, read-only root, hostname). The order follows runc's
/// libcontainer/rootfs_linux.go (prepareRootfs, finalizeRootfs) and standard_init_linux.go.
/// </summary>
public static partial class RootfsSetup
{
    /// <summary>
    /// Everything up to and including pivot_root: root propagation, the rootfs bind, every spec
    /// mount in order, /dev nodes and symlinks, <paramref name="beforePivot"/> (the
    /// createContainer hooks run there, config.md#createContainer-hooks), then pivot_root.
    /// Must run in the container's own mount namespace, as root; on return "/" is the rootfs and
    /// the host's filesystem is detached.
    /// </summary>
    public static void Prepare(Spec spec, string bundleDir, Action? beforePivot) =>
        Prepare(spec, bundleDir, beforePivot, noPivot: false);

    /// <summary>
    /// <see cref="Prepare(Spec, string, Action?)"/>; with <paramref name="noPivot"/> the rootfs is
    /// moved onto "/" (MS_MOVE) and chroot(2)ed into instead of pivot_root(2), for a root that
    /// cannot pivot (e.g. a ramfs initrd, runc --no-pivot). Less safe: the old root stays reachable
    /// to a process that can escape a chroot.
    /// </summary>
    public static void Prepare(Spec spec, string bundleDir, Action? beforePivot, bool noPivot)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(bundleDir);
        if (!Sysctls.HasNamespace(spec, NamespaceTypes.Mount))
        {
            // Without one, every mount below would land in the host's mount table.
            throw new ArgumentException("linux.namespaces has no mount namespace: the container's root filesystem can only be set up in its own mount namespace; add {\"type\": \"mount\"}");
        }
        var rootfs = ResolveRootfs(spec, bundleDir);
        var plan = Plan(spec);
        ValidateNames(spec);
        Sysctls.Validate(spec);

        // Stop our mounts from reaching the host (and the host's from reaching us, unless asked):
        // MS_SLAVE|MS_REC on "/", or the configured rootfsPropagation (config-linux.md#rootfs-mount-propagation).
        var rootPropagation = RootPropagation(spec);
        Mounts.SetPropagation("/", PrePivotRootPropagation(rootPropagation));
        MakeParentPrivate(rootfs);
        Mounts.Mount(rootfs, rootfs, "bind", MS_BIND | MS_REC);

        var context = new Context(
            rootfs,
            bundleDir,
            MountInfo.ReadSelf(),
            Sysctls.HasNamespace(spec, NamespaceTypes.Network),
            Sysctls.HasNamespace(spec, NamespaceTypes.Cgroup));
        foreach (var (mount, options) in plan)
        {
            MountOne(context, mount, options);
        }

        // A /dev bind-mounted from the host already has its nodes (runc needsSetupDev).
        var devFromHost = plan.Any(p => CleanDestination(p.Mount.Destination) == "/dev" && p.Options.Bind);
        if (!devFromHost)
        {
            CreateDevices(rootfs, spec.Linux?.Devices);
            SetupPtmx(rootfs);
            CreateDevSymlinks(rootfs);
        }

        beforePivot?.Invoke();

        if (noPivot)
        {
            MoveRoot(rootfs);
        }
        else
        {
            PivotRoot(rootfs);
        }

        // Re-applied here, on the new "/", so that a shared or slave root affects the container's
        // root mount and not the host's (runc prepareRootfs does the same after pivoting). An
        // unbindable one waits for the end of Finalize: read-only and masked paths are binds.
        if (rootPropagation is { } propagation && (propagation & MS_UNBINDABLE) == 0)
        {
            Mounts.SetPropagation("/", propagation);
        }
    }

    /// <summary>
    /// Bind-mounts the terminal's pty slave onto /dev/console (config-linux.md#default-devices:
    /// /dev/console is set up when process.terminal is true). Call after <see cref="Prepare(Spec, string, Action?)"/>:
    /// paths are inside the container.
    /// </summary>
    public static void SetupConsoleDevice(string ptySlavePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(ptySlavePath);
        const string console = "/dev/console";
        if (!File.Exists(console))
        {
            using (File.Create(console))
            {
            }
            DeviceNodes.Chmod(console, 0x1B6); // 0666, as runc creates it
        }
        Mounts.Mount(ptySlavePath, console, "bind", MS_BIND);
    }

    /// <summary>
    /// After <see cref="Prepare(Spec, string, Action?)"/> (and the console): sysctls, read-only
    /// paths, masked paths, read-only /dev and root, hostname and domainname.
    /// </summary>
    public static void Finalize(Spec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ValidateNames(spec);

        // Before readonlyPaths, which usually include /proc/sys.
        Sysctls.Apply(spec);
        foreach (var path in spec.Linux?.ReadonlyPaths ?? [])
        {
            MakeReadonly(path);
        }
        foreach (var path in spec.Linux?.MaskedPaths ?? [])
        {
            Mask(path);
        }

        // /dev was mounted writable so that devices could be created in it (runc finalizeRootfs).
        foreach (var m in spec.Mounts ?? [])
        {
            if (CleanDestination(m.Destination) == "/dev" && (MountOptions.Parse(m.Options).Flags & MS_RDONLY) != 0)
            {
                RemountReadonly("/dev");
            }
        }
        if (spec.Root?.Readonly == true)
        {
            RemountReadonly("/");
        }
        // Last of the mounts: nothing can be bound from an unbindable mount (see Prepare).
        if (RootPropagation(spec) is { } propagation && (propagation & MS_UNBINDABLE) != 0)
        {
            Mounts.SetPropagation("/", propagation);
        }

        if (!string.IsNullOrEmpty(spec.Hostname))
        {
            Uts.SetHostname(spec.Hostname);
        }
        if (!string.IsNullOrEmpty(spec.Domainname))
        {
            Uts.SetDomainname(spec.Domainname);
        }
    }

    /// <summary>The rootfs directory: root.path, relative to the bundle unless absolute (config.md#root).</summary>
    public static string ResolveRootfs(Spec spec, string bundleDir)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var path = spec.Root?.Path;
        if (string.IsNullOrEmpty(path))
        {
            throw new ArgumentException("config.json has no root.path: set it to the container's root filesystem directory (e.g. \"rootfs\")");
        }
        // Resolved like realpath(3) (SecureJoin rooted at "/"), as runc does with EvalSymlinks, so
        // that it compares equal to the mount points in /proc/self/mountinfo.
        var full = SecureJoin.Resolve("/", Path.GetFullPath(Path.Combine(bundleDir, path)));
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"root.path '{path}' does not exist or is not a directory (resolved to {full} from bundle {bundleDir})");
        }
        return full;
    }

    private static void ValidateNames(Spec spec)
    {
        // runc validator: a hostname or domainname needs a UTS namespace of the container's own,
        // or it would rename the host.
        if (!string.IsNullOrEmpty(spec.Hostname) && !Sysctls.HasNamespace(spec, NamespaceTypes.Uts))
        {
            throw new ArgumentException($"hostname '{spec.Hostname}' needs a UTS namespace: add {{\"type\": \"uts\"}} to linux.namespaces or remove the hostname");
        }
        if (!string.IsNullOrEmpty(spec.Domainname) && !Sysctls.HasNamespace(spec, NamespaceTypes.Uts))
        {
            throw new ArgumentException($"domainname '{spec.Domainname}' needs a UTS namespace: add {{\"type\": \"uts\"}} to linux.namespaces or remove the domainname");
        }
    }

    private static ulong? RootPropagation(Spec spec)
    {
        var value = spec.Linux?.RootfsPropagation;
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        var parsed = MountOptions.Parse([value]);
        if (parsed.PropagationFlags.Count != 1)
        {
            throw new ArgumentException($"linux.rootfsPropagation '{value}' is not one of shared, slave, private, unbindable (or their r-prefixed recursive forms)");
        }
        return parsed.PropagationFlags[0];
    }

    /// <summary>
    /// The propagation set on the host's "/" before the rootfs is bound: the configured one, except
    /// that an unbindable "/" would make every later bind from the host (the rootfs itself, bind
    /// mounts) fail with EINVAL (mount(2): "attempt to bind an unbindable mount"), so that one is
    /// only applied to the new root at the end of <see cref="Finalize"/>.
    /// </summary>
    internal static ulong PrePivotRootPropagation(ulong? configured) =>
        configured is { } p && (p & MS_UNBINDABLE) == 0 ? p : MS_SLAVE | MS_REC;

    /// <summary>pivot_root(2) refuses a new root whose parent mount is shared; make that parent private (runc rootfsParentMountPrivate).</summary>
    private static void MakeParentPrivate(string rootfs)
    {
        MountInfo? parent = null;
        foreach (var m in MountInfo.ReadSelf())
        {
            if (IsWithin(rootfs, m.MountPoint) && (parent is null || m.MountPoint.Length >= parent.MountPoint.Length))
            {
                parent = m;
            }
        }
        if (parent is { IsShared: true })
        {
            Mounts.SetPropagation(parent.MountPoint, MS_PRIVATE);
        }
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="ancestor"/> or below it, comparing whole components.</summary>
    internal static bool IsWithin(string path, string ancestor) =>
        ancestor == "/" || path == ancestor || path.StartsWith(ancestor + "/", StringComparison.Ordinal);

    /// <summary>A mount destination made absolute and clean ("proc" → "/proc", "/dev/" → "/dev").</summary>
    internal static string CleanDestination(string destination)
    {
        var parts = new List<string>();
        foreach (var p in destination.Split('/'))
        {
            if (p is "" or ".")
            {
                continue;
            }
            if (p == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                continue;
            }
            parts.Add(p);
        }
        return "/" + string.Join('/', parts);
    }

    private sealed record Context(string Rootfs, string BundleDir, IReadOnlyList<MountInfo> HostMounts, bool HasNetworkNamespace, bool HasCgroupNamespace);
}
