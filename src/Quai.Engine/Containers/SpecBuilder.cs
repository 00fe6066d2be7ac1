using System.Globalization;
using Quai.Api.Models;
using Quai.Engine.Security;
using Quai.Oci.Runtime;
using OciLinux = Quai.Oci.Runtime.Linux;
using OciMount = Quai.Oci.Runtime.Mount;

namespace Quai.Engine.Containers;

/// <summary>
/// Builds a container's OCI runtime config (config.json) from its Docker config and host config,
/// with docker's defaults (moby daemon/oci_linux.go and oci/defaults.go): the 14 default
/// capabilities, docker's masked and read-only paths, /dev/shm of 64 MiB, cgroup limits.
/// </summary>
internal static class SpecBuilder
{
    /// <summary>docker's default capability set (moby oci/caps/defaults.go).</summary>
    public static readonly string[] DefaultCapabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    /// <summary>Every capability this kernel knows (for --privileged and --cap-add ALL).</summary>
    public static readonly string[] AllCapabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID",
        "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
        "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
        "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
        "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    private static readonly string[] MaskedPaths =
    [
        "/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ];

    private static readonly string[] ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    /// <summary>What the spec needs besides the record.</summary>
    public sealed record Inputs(
        UserResolver.Resolved User,
        string? NetworkNamespacePath,
        bool HostNetwork,
        string CgroupsPath,
        string? InitPath);

    /// <summary>The complete spec, with root.path "rootfs" (the shim mounts the snapshot there).</summary>
    public static Spec Build(ContainerRecord c, Inputs inputs)
    {
        var cfg = c.Config;
        var host = c.HostConfig;
        var privileged = host.Privileged == true;
        var security = SecurityOptions.Parse(host.SecurityOpt);
        var capabilities = BuildCapabilities(host, privileged);

        var args = new List<string>();
        if (host.Init == true && inputs.InitPath is not null)
        {
            args.AddRange(["/sbin/docker-init", "--"]);
        }
        args.AddRange(c.Command);

        var process = new Process
        {
            Terminal = cfg.Tty == true,
            Args = args,
            Env = BuildEnv(cfg, c),
            Cwd = string.IsNullOrEmpty(cfg.WorkingDir) ? "/" : cfg.WorkingDir,
            User = new User { Uid = inputs.User.Uid, Gid = inputs.User.Gid, AdditionalGids = inputs.User.AdditionalGids.Count > 0 ? inputs.User.AdditionalGids : null },
            Capabilities = capabilities,
            NoNewPrivileges = security.NoNewPrivileges,
            OomScoreAdj = host.OomScoreAdj is { } adj and not 0 ? (int)adj : null,
            Rlimits = host.Ulimits is { Count: > 0 } ulimits ? [.. ulimits.Select(u => new Rlimit { Type = RlimitName(u.Name!), Soft = (ulong)(u.Soft ?? 0), Hard = (ulong)(u.Hard ?? 0) })] : null,
        };
        if (cfg.Tty == true && host.ConsoleSize is [var h, var w, ..] && h > 0 && w > 0)
        {
            process.ConsoleSize = new ConsoleSize { Height = (uint)h, Width = (uint)w };
        }

        var shmSize = host.ShmSize is > 0 and var shm ? shm : 64L * 1024 * 1024;
        var mounts = new List<OciMount>
        {
            new() { Destination = "/proc", Type = "proc", Source = "proc", Options = ["nosuid", "noexec", "nodev"] },
            new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
            new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
            new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = privileged ? ["nosuid", "noexec", "nodev"] : ["nosuid", "noexec", "nodev", "ro"] },
            new() { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = ["nosuid", "noexec", "nodev", "relatime", privileged ? "rw" : "ro"] },
            new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
            new() { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=" + shmSize.ToString(CultureInfo.InvariantCulture)] },
        };
        if (inputs.HostNetwork)
        {
            // moby: with the host's network namespace sysfs cannot be mounted anew; bind the host's.
            mounts[3] = new OciMount { Destination = "/sys", Type = "bind", Source = "/sys", Options = ["rbind", "nosuid", "noexec", "nodev", privileged ? "rw" : "ro"] };
        }
        foreach (var (dest, file) in new[] { ("/etc/resolv.conf", c.ResolvConfPath), ("/etc/hostname", c.HostnamePath), ("/etc/hosts", c.HostsPath) })
        {
            if (!string.IsNullOrEmpty(file) && !c.Mounts.Any(m => m.Destination == dest))
            {
                mounts.Add(new OciMount { Destination = dest, Type = "bind", Source = file, Options = ["rbind", "rprivate"] });
            }
        }
        if (host.Init == true && inputs.InitPath is not null)
        {
            mounts.Add(new OciMount { Destination = "/sbin/docker-init", Type = "bind", Source = inputs.InitPath, Options = ["bind", "ro"] });
        }
        var user = MountPlanner.ToOci(c.Mounts).ToList();
        // A user mount over /dev/shm or another default replaces the default (moby: mounts by destination).
        mounts.RemoveAll(m => user.Any(u => u.Destination == m.Destination));
        mounts.AddRange(user);

        var namespaces = new List<LinuxNamespace> { new() { Type = NamespaceTypes.Mount } };
        if (host.PidMode != "host")
        {
            namespaces.Add(new LinuxNamespace { Type = NamespaceTypes.Pid });
        }
        if (host.IpcMode != "host")
        {
            namespaces.Add(new LinuxNamespace { Type = NamespaceTypes.Ipc });
        }
        if (host.UTSMode != "host")
        {
            namespaces.Add(new LinuxNamespace { Type = NamespaceTypes.Uts });
        }
        if (!inputs.HostNetwork)
        {
            namespaces.Add(new LinuxNamespace { Type = NamespaceTypes.Network, Path = inputs.NetworkNamespacePath });
        }

        var linux = new OciLinux
        {
            Namespaces = namespaces,
            CgroupsPath = inputs.CgroupsPath,
            Resources = BuildResources(host, privileged),
            MaskedPaths = privileged || security.SystemPathsUnconfined ? null : [.. MaskedPaths],
            ReadonlyPaths = privileged || security.SystemPathsUnconfined ? null : [.. ReadonlyPaths],
            // docker's default seccomp policy, resolved for this container's capabilities; none
            // for --privileged or seccomp=unconfined (moby: WithSeccomp).
            Seccomp = privileged || security.SeccompUnconfined ? null
                : SeccompProfileConverter.ToOci(security.SeccompProfile ?? DefaultSeccompProfile.Create(), capabilities.Bounding ?? []),
            Sysctl = host.Sysctls is { Count: > 0 } s ? new Dictionary<string, string>(s) : null,
        };
        if (host.Devices is { Count: > 0 } devices)
        {
            linux.Devices = [];
            foreach (var d in devices)
            {
                var (type, major, minor) = DeviceOf(d.PathOnHost!);
                var perms = string.IsNullOrEmpty(d.CgroupPermissions) ? "rwm" : d.CgroupPermissions;
                linux.Devices.Add(new LinuxDevice { Path = string.IsNullOrEmpty(d.PathInContainer) ? d.PathOnHost! : d.PathInContainer, Type = type, Major = major, Minor = minor, FileMode = 0x1B6, Uid = 0, Gid = 0 });
                linux.Resources!.Devices!.Add(new LinuxDeviceCgroup { Allow = true, Type = type, Major = major, Minor = minor, Access = perms });
            }
        }

        return new Spec
        {
            Process = process,
            Root = new Root { Path = "rootfs", Readonly = host.ReadonlyRootfs == true },
            Hostname = host.UTSMode == "host" ? null : cfg.Hostname,
            Domainname = string.IsNullOrEmpty(cfg.Domainname) ? null : cfg.Domainname,
            Mounts = mounts,
            Linux = linux,
        };
    }

    private static List<string> BuildEnv(ContainerConfig cfg, ContainerRecord c)
    {
        var env = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string kv, bool overrideExisting)
        {
            var key = kv.Split('=', 2)[0];
            if (seen.Contains(key))
            {
                if (overrideExisting)
                {
                    env.RemoveAll(e => e.Split('=', 2)[0] == key);
                }
                else
                {
                    return;
                }
            }
            seen.Add(key);
            env.Add(kv);
        }
        // moby container.CreateDaemonEnvironment: PATH, HOSTNAME, TERM first, then the container's.
        Add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", false);
        Add("HOSTNAME=" + cfg.Hostname, false);
        if (cfg.Tty == true)
        {
            Add("TERM=xterm", false);
        }
        foreach (var e in cfg.Env ?? [])
        {
            Add(e, true);
        }
        _ = c;
        return env;
    }

    private static Capabilities BuildCapabilities(HostConfig host, bool privileged)
    {
        var caps = privileged ? [.. HeldCapabilities()] : new List<string>(DefaultCapabilities);
        if (!privileged)
        {
            var add = (host.CapAdd ?? []).Select(Normalize).ToList();
            var drop = (host.CapDrop ?? []).Select(Normalize).ToList();
            if (drop.Contains("CAP_ALL"))
            {
                caps.Clear();
            }
            if (add.Contains("CAP_ALL"))
            {
                caps = [.. HeldCapabilities()];
            }
            foreach (var a in add.Where(a => a != "CAP_ALL"))
            {
                if (!AllCapabilities.Contains(a))
                {
                    throw EngineException.Invalid($"invalid CapAdd: unknown capability: \"{a}\"");
                }
                if (!caps.Contains(a))
                {
                    caps.Add(a);
                }
            }
            foreach (var d in drop.Where(d => d != "CAP_ALL"))
            {
                if (!AllCapabilities.Contains(d))
                {
                    throw EngineException.Invalid($"invalid CapDrop: unknown capability: \"{d}\"");
                }
                if (!add.Contains(d))
                {
                    caps.Remove(d);
                }
            }
        }
        return new Capabilities { Bounding = [.. caps], Effective = [.. caps], Permitted = [.. caps] };
    }

    /// <summary>
    /// "All capabilities" as far as this daemon can grant them: the known ones in its own bounding
    /// set (a sandbox without CAP_SYS_RESOURCE, say, cannot give it to a container, and capset
    /// would fail the whole start).
    /// </summary>
    internal static IEnumerable<string> HeldCapabilities()
    {
        ulong bounding = ulong.MaxValue;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("CapBnd:", StringComparison.Ordinal))
            {
                bounding = Convert.ToUInt64(line["CapBnd:".Length..].Trim(), 16);
            }
        }
        return AllCapabilities.Where(c => CapabilityNumber(c) is int n && (bounding & (1UL << n)) != 0);
    }

    private static int? CapabilityNumber(string cap) => cap switch
    {
        "CAP_CHOWN" => 0, "CAP_DAC_OVERRIDE" => 1, "CAP_DAC_READ_SEARCH" => 2, "CAP_FOWNER" => 3, "CAP_FSETID" => 4,
        "CAP_KILL" => 5, "CAP_SETGID" => 6, "CAP_SETUID" => 7, "CAP_SETPCAP" => 8, "CAP_LINUX_IMMUTABLE" => 9,
        "CAP_NET_BIND_SERVICE" => 10, "CAP_NET_BROADCAST" => 11, "CAP_NET_ADMIN" => 12, "CAP_NET_RAW" => 13,
        "CAP_IPC_LOCK" => 14, "CAP_IPC_OWNER" => 15, "CAP_SYS_MODULE" => 16, "CAP_SYS_RAWIO" => 17, "CAP_SYS_CHROOT" => 18,
        "CAP_SYS_PTRACE" => 19, "CAP_SYS_PACCT" => 20, "CAP_SYS_ADMIN" => 21, "CAP_SYS_BOOT" => 22, "CAP_SYS_NICE" => 23,
        "CAP_SYS_RESOURCE" => 24, "CAP_SYS_TIME" => 25, "CAP_SYS_TTY_CONFIG" => 26, "CAP_MKNOD" => 27, "CAP_LEASE" => 28,
        "CAP_AUDIT_WRITE" => 29, "CAP_AUDIT_CONTROL" => 30, "CAP_SETFCAP" => 31, "CAP_MAC_OVERRIDE" => 32, "CAP_MAC_ADMIN" => 33,
        "CAP_SYSLOG" => 34, "CAP_WAKE_ALARM" => 35, "CAP_BLOCK_SUSPEND" => 36, "CAP_AUDIT_READ" => 37, "CAP_PERFMON" => 38,
        "CAP_BPF" => 39, "CAP_CHECKPOINT_RESTORE" => 40,
        _ => null,
    };

    private static string Normalize(string cap)
    {
        var upper = cap.ToUpperInvariant();
        return upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper : "CAP_" + upper;
    }

    private static string RlimitName(string name) => "RLIMIT_" + name.ToUpperInvariant() switch
    {
        "NOFILE" => "NOFILE",
        var n => n,
    };

    private static LinuxResources BuildResources(HostConfig host, bool privileged)
    {
        var r = new LinuxResources
        {
            Devices = privileged ? [new LinuxDeviceCgroup { Allow = true, Access = "rwm" }] : [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }],
        };
        if (host.Memory is > 0 || host.MemoryReservation is > 0 || host.MemorySwap is not null and not 0 || host.OomKillDisable == true || host.MemorySwappiness is >= 0)
        {
            r.Memory = new LinuxMemory
            {
                Limit = host.Memory is > 0 ? host.Memory : null,
                Reservation = host.MemoryReservation is > 0 ? host.MemoryReservation : null,
                // docker: MemorySwap is memory+swap; unset with a memory limit means twice the limit.
                Swap = host.MemorySwap is -1 ? -1 : host.MemorySwap is > 0 ? host.MemorySwap : host.Memory is > 0 ? host.Memory * 2 : null,
                DisableOomKiller = host.OomKillDisable == true ? true : null,
                Swappiness = host.MemorySwappiness is >= 0 and var sw ? (ulong)sw : null,
            };
        }
        var period = host.CpuPeriod is > 0 ? (ulong)host.CpuPeriod : (ulong?)null;
        long? quota = host.CpuQuota is > 0 ? host.CpuQuota : null;
        if (host.NanoCpus is > 0 and var nano)
        {
            if (host.CpuQuota is > 0 || host.CpuPeriod is > 0)
            {
                throw EngineException.Invalid("Conflicting options: Nano CPUs and CPU Period cannot both be set");
            }
            period = 100000;
            quota = nano * 100000 / 1_000_000_000;
        }
        if (host.CpuShares is > 0 || period is not null || quota is not null || !string.IsNullOrEmpty(host.CpusetCpus) || !string.IsNullOrEmpty(host.CpusetMems))
        {
            r.Cpu = new LinuxCpu
            {
                Shares = host.CpuShares is > 0 ? (ulong)host.CpuShares : null,
                Period = period,
                Quota = quota,
                Cpus = string.IsNullOrEmpty(host.CpusetCpus) ? null : host.CpusetCpus,
                Mems = string.IsNullOrEmpty(host.CpusetMems) ? null : host.CpusetMems,
            };
        }
        if (host.PidsLimit is > 0 and var pids)
        {
            r.Pids = new LinuxPids { Limit = pids };
        }
        if (host.BlkioWeight is > 0 and var weight)
        {
            r.BlockIo = new LinuxBlockIo { Weight = (ushort)weight };
        }
        return r;
    }

    private static (string Type, long Major, long Minor) DeviceOf(string path)
    {
        Quai.Linux.Interop.Libc.Stat st;
        try
        {
            st = Quai.Linux.DeviceNodes.Lstat(path);
        }
        catch (Quai.Linux.LinuxException e)
        {
            throw EngineException.Invalid($"error gathering device information while adding custom device \"{path}\": {e.Message}");
        }
        var type = (st.Mode & 0xF000) switch
        {
            Quai.Linux.DeviceNodes.S_IFCHR => "c",
            Quai.Linux.DeviceNodes.S_IFBLK => "b",
            _ => throw EngineException.Invalid($"error gathering device information while adding custom device \"{path}\": not a device node"),
        };
        // glibc's gnu_dev_major/minor encoding of st_rdev.
        var dev = st.DeviceNumber;
        var major = (long)(((dev >> 8) & 0xfff) | ((dev >> 32) & 0xfffff000));
        var minor = (long)((dev & 0xff) | ((dev >> 12) & 0xffffff00));
        return (type, major, minor);
    }
}
