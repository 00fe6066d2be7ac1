using Quai.Linux;
using Quai.Oci.Runtime;
using static Quai.Linux.MountFlags;
using OciMount = Quai.Oci.Runtime.Mount;

namespace Quai.Runtime.Rootfs;

// config.md#mounts: each mount in order, by type.
public static partial class RootfsSetup
{
    // Paths under /proc that may be bind-mounted over (the files lxcfs emulates), as runc's checkProcMount.
    private static readonly string[] AllowedProcMounts =
    [
        "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps",
        "/proc/uptime", "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
    ];

    private const long ProcSuperMagic = 0x9fa0;

    /// <summary>Mode of the mount points and /dev subdirectories Quai creates (0755, as runc's MkdirAll), whatever the umask.</summary>
    private const UnixFileMode DirectoryMode = (UnixFileMode)0x1ED;

    /// <summary>Parses and checks every mount before anything is mounted, so a bad config fails without side effects.</summary>
    private static List<(OciMount Mount, MountOptions Options)> Plan(Spec spec)
    {
        var plan = new List<(OciMount, MountOptions)>();
        foreach (var m in spec.Mounts ?? [])
        {
            if (string.IsNullOrEmpty(m.Destination))
            {
                throw new ArgumentException("a mount in config.json has no destination: every mount needs one (config.md#mounts)");
            }
            MountOptions options;
            try
            {
                options = MountOptions.Parse(m.Options);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"mount {m.Destination}: {e.Message}", e);
            }
            if (m.UidMappings is { Count: > 0 } || m.GidMappings is { Count: > 0 })
            {
                throw new ArgumentException($"mount {m.Destination}: uidMappings/gidMappings (id-mapped mounts) are not supported by quai-runtime; remove them or use runc or crun");
            }
            if (CleanDestination(m.Destination) == "/")
            {
                throw new ArgumentException($"mount destination '{m.Destination}' is the container's root: set root.path instead of mounting over /");
            }
            if (IsBind(m, options) && string.IsNullOrEmpty(m.Source))
            {
                throw new ArgumentException($"bind mount {m.Destination} has no source: set the host path to bind");
            }
            plan.Add((m, options));
        }
        return plan;
    }

    private static bool IsBind(OciMount m, MountOptions options) => options.Bind || m.Type == "bind";

    private static void MountOne(Context context, OciMount m, MountOptions options)
    {
        var destination = CleanDestination(m.Destination);
        var flags = options.Flags & ~MS_BIND;
        if (IsBind(m, options))
        {
            BindMount(context, m, options, destination);
        }
        else
        {
            var target = SecureJoin.Resolve(context.Rootfs, destination);
            if (m.Type != "tmpfs")
            {
                // A tmpfs only hides what is below it; runc does not check it either.
                CheckProcMount(context.Rootfs, target, m.Source, bind: false, m.Type);
            }
            Directory.CreateDirectory(target, DirectoryMode);
            switch (m.Type)
            {
                case "cgroup" or "cgroup2":
                    MountCgroups(context, target, m.Type, flags, options.Data);
                    break;
                case "sysfs":
                    MountSysfs(context, target, flags, options.Data);
                    break;
                case "tmpfs":
                    // /dev stays writable until Finalize so that devices and symlinks can be created in it.
                    var tmpfsFlags = destination == "/dev" ? flags & ~MS_RDONLY : flags;
                    if (options.TmpCopyUp)
                    {
                        MountTmpfsCopyUp(target, tmpfsFlags, options.Data, m.Source);
                    }
                    else
                    {
                        Mounts.Mount(string.IsNullOrEmpty(m.Source) ? "tmpfs" : m.Source, target, "tmpfs", tmpfsFlags, options.Data);
                    }
                    break;
                case null or "":
                    throw new ArgumentException($"mount {m.Destination} has no type and is not a bind mount: set type (e.g. \"tmpfs\") or add the \"bind\" option");
                default:
                    Mounts.Mount(string.IsNullOrEmpty(m.Source) ? m.Type : m.Source, target, m.Type, flags, options.Data);
                    break;
            }
            ApplyPropagation(target, options);
        }
    }

    private static void BindMount(Context context, OciMount m, MountOptions options, string destination)
    {
        // config.md#mounts: a bind source is absolute or relative to the bundle.
        var source = Path.GetFullPath(Path.Combine(context.BundleDir, m.Source!));
        var sourceIsDirectory = Directory.Exists(source);
        if (!sourceIsDirectory && !File.Exists(source))
        {
            throw new FileNotFoundException($"bind mount source {source} (for {m.Destination}) does not exist: create it or fix the mount's source");
        }
        var target = SecureJoin.Resolve(context.Rootfs, destination);
        CheckProcMount(context.Rootfs, target, source, bind: true, m.Type);
        CreateMountPoint(target, sourceIsDirectory);
        Mounts.Mount(source, target, "bind", MS_BIND | (options.Flags & MS_REC), options.Data);

        // Bind mounts ignore every flag but MS_BIND|MS_REC on the first call: ro, nosuid, ... need
        // a second, remounting call (mount(2), "Creating a bind mount").
        var extra = options.Flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        if (extra != 0)
        {
            RemountBind(target, extra);
        }
        ApplyPropagation(target, options);
    }

    /// <summary>MS_REMOUNT|MS_BIND with <paramref name="flags"/>; on EPERM, again keeping the flags the kernel locked on this mount.</summary>
    private static void RemountBind(string target, ulong flags)
    {
        var rc = Mounts.TryMount(null, target, null, flags | MS_BIND | MS_REMOUNT);
        if (rc == 0)
        {
            return;
        }
        if (rc != Errnos.EPERM)
        {
            throw new LinuxException("mount (bind remount)", rc, target);
        }
        var locked = Mounts.GetLockedFlags(target);
        var merged = flags | locked;
        if ((locked & AtimeMask) != 0)
        {
            // An atime mode is locked too: keep it rather than ask for two at once.
            merged = (merged & ~AtimeMask) | (locked & AtimeMask);
        }
        Mounts.Mount(null, target, null, merged | MS_BIND | MS_REMOUNT);
    }

    /// <summary>
    /// Makes an existing mount read-only and keeps its other flags: a bind remount sets exactly the
    /// flags it is given, so nosuid, nodev, noexec and the atime mode are read back with statfs(2)
    /// and passed again (runc setReadonly / remountReadonly).
    /// </summary>
    private static void RemountReadonly(string target) =>
        Mounts.Mount(null, target, null, MS_BIND | MS_REMOUNT | MS_RDONLY | Mounts.GetLockedFlags(target));

    private static void ApplyPropagation(string target, MountOptions options)
    {
        foreach (var p in options.PropagationFlags)
        {
            Mounts.SetPropagation(target, p);
        }
    }

    private static void MountSysfs(Context context, string target, ulong flags, string data)
    {
        var rc = Mounts.TryMount("sysfs", target, "sysfs", flags, data);
        if (rc == 0)
        {
            return;
        }

        // The kernel refuses a new sysfs to a process that does not own its network namespace;
        // runc then binds the host's /sys (read-only if asked) instead.
        if (rc != Errnos.EPERM || context.HasNetworkNamespace)
        {
            throw new LinuxException("mount", rc, $"sysfs on {target}");
        }
        Mounts.Mount("/sys", target, "bind", MS_BIND | MS_REC);
        var extra = flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        if (extra != 0)
        {
            RemountBind(target, extra);
        }
    }

    /// <summary>tmpfs with "tmpcopyup": mount it aside, copy the destination's files in, then move it over the destination (runc mountToRootfs).</summary>
    private static void MountTmpfsCopyUp(string target, ulong flags, string data, string? source)
    {
        var staging = Directory.CreateTempSubdirectory("quai-copyup-").FullName;
        try
        {
            Mounts.Mount(string.IsNullOrEmpty(source) ? "tmpfs" : source, staging, "tmpfs", flags & ~MS_RDONLY, data);
            try
            {
                CopyTree(target, staging);
                if ((flags & MS_RDONLY) != 0)
                {
                    Mounts.Mount(null, staging, "tmpfs", flags | MS_REMOUNT, data);
                }
                Mounts.Mount(staging, target, null, MS_MOVE);
            }
            catch
            {
                Mounts.TryDetach(staging);
                throw;
            }
        }
        finally
        {
            Directory.Delete(staging);
        }
    }

    /// <summary>Copies a directory tree with modes and owners; symlinks are copied as links, special files are skipped.</summary>
    private static void CopyTree(string from, string to)
    {
        CopyOwnerAndMode(from, to);
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            var destination = Path.Combine(to, entry.Name);
            var type = DeviceNodes.Lstat(entry.FullName).Mode & FileTypeMask;
            if (type == SymlinkType)
            {
                File.CreateSymbolicLink(destination, entry.LinkTarget!);
                var st = DeviceNodes.Lstat(entry.FullName);
                DeviceNodes.Lchown(destination, st.Uid, st.Gid);
            }
            else if (type == DirectoryType)
            {
                Directory.CreateDirectory(destination);
                CopyTree(entry.FullName, destination);
            }
            else if (type == RegularType)
            {
                File.Copy(entry.FullName, destination);
                CopyOwnerAndMode(entry.FullName, destination);
            }
        }
    }

    private const uint FileTypeMask = 0xF000;
    private const uint RegularType = 0x8000;
    private const uint DirectoryType = 0x4000;
    private const uint SymlinkType = 0xA000;

    private static void CopyOwnerAndMode(string from, string to)
    {
        var st = DeviceNodes.Lstat(from);
        DeviceNodes.Lchown(to, st.Uid, st.Gid);

        // After chown, which clears set-user-ID and set-group-ID bits.
        DeviceNodes.Chmod(to, st.Mode & 0xFFF);
    }

    /// <summary>Creates a missing mount point: a directory, or an empty file when a file is bound onto it.</summary>
    private static void CreateMountPoint(string target, bool directory)
    {
        if (directory)
        {
            Directory.CreateDirectory(target, DirectoryMode);
            return;
        }
        if (Directory.Exists(target) || File.Exists(target))
        {
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(target)!, DirectoryMode);
        using (File.Create(target))
        {
        }
    }

    /// <summary>
    /// runc checkProcMount: nothing may be mounted inside /proc except a few files lxcfs emulates,
    /// and only a real proc filesystem may cover /proc itself (CVE-2019-16884 class of attacks).
    /// </summary>
    private static void CheckProcMount(string rootfs, string target, string? source, bool bind, string? type)
    {
        var proc = rootfs + "/proc";
        if (!IsWithin(target, proc))
        {
            return;
        }
        if (target == proc)
        {
            var isProc = type == "proc" || (bind && source is not null && Mounts.GetFileSystemType(source) == ProcSuperMagic);
            if (!isProc)
            {
                throw new ArgumentException($"{target} cannot be mounted because it is not of type proc: /proc must be a proc mount");
            }
            return;
        }
        if (!AllowedProcMounts.Any(p => target == rootfs + p))
        {
            throw new ArgumentException($"{target} cannot be mounted because it is inside /proc; only {string.Join(", ", AllowedProcMounts)} may be");
        }
    }
}
