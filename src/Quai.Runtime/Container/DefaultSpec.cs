using Quai.Oci.Runtime;
using OciLinux = Quai.Oci.Runtime.Linux;

namespace Quai.Runtime.Container;

/// <summary>The config.json `spec` writes: runc's defaults (libcontainer/specconv/example.go), hostname "quai".</summary>
public static class DefaultSpec
{
    private static readonly string[] DefaultCaps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];

    /// <summary>Masked paths (config-linux.md#masked-paths), as runc's default.</summary>
    public static readonly string[] MaskedPaths =
    [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
    ];

    /// <summary>Read-only paths (config-linux.md#readonly-paths), as runc's default.</summary>
    public static readonly string[] ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    /// <summary>A new default spec; <paramref name="rootless"/> adapts it as `runc spec --rootless` does.</summary>
    public static Spec Create(bool rootless)
    {
        var spec = new Spec
        {
            Process = new Process
            {
                Terminal = true,
                User = new User { Uid = 0, Gid = 0 },
                Args = ["sh"],
                Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
                Cwd = "/",
                Capabilities = new Capabilities { Bounding = [.. DefaultCaps], Effective = [.. DefaultCaps], Permitted = [.. DefaultCaps], Ambient = [.. DefaultCaps] },
                Rlimits = [new Rlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 }],
                NoNewPrivileges = true,
            },
            Root = new Root { Path = "rootfs", Readonly = true },
            Hostname = "quai",
            Mounts =
            [
                new Mount { Destination = "/proc", Type = "proc", Source = "proc" },
                new Mount { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
                new Mount { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
                new Mount { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
                new Mount { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
                new Mount { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", "ro"] },
                new Mount { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = ["nosuid", "noexec", "nodev", "relatime", "ro"] },
            ],
            Linux = new OciLinux
            {
                Resources = new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }] },
                Namespaces =
                [
                    new LinuxNamespace { Type = NamespaceTypes.Pid },
                    new LinuxNamespace { Type = NamespaceTypes.Network },
                    new LinuxNamespace { Type = NamespaceTypes.Ipc },
                    new LinuxNamespace { Type = NamespaceTypes.Uts },
                    new LinuxNamespace { Type = NamespaceTypes.Mount },
                    new LinuxNamespace { Type = NamespaceTypes.Cgroup },
                ],
                MaskedPaths = [.. MaskedPaths],
                ReadonlyPaths = [.. ReadonlyPaths],
            },
        };
        if (rootless)
        {
            // runc specconv.ToRootless: no network namespace of its own, a user namespace mapping
            // the caller to root, sysfs bind-mounted, no device cgroup rules, no gid on devpts.
            var linux = spec.Linux!;
            linux.Resources = null;
            linux.Namespaces = [.. linux.Namespaces!.Where(n => n.Type != NamespaceTypes.Network), new LinuxNamespace { Type = NamespaceTypes.User }];
            var uid = Quai.Linux.Interop.Libc.GetEuid();
            linux.UidMappings = [new IdMapping { ContainerId = 0, HostId = uid, Size = 1 }];
            linux.GidMappings = [new IdMapping { ContainerId = 0, HostId = uid, Size = 1 }];
            foreach (var m in spec.Mounts!)
            {
                if (m.Destination == "/sys")
                {
                    m.Type = "none";
                    m.Source = "/sys";
                    m.Options = ["rbind", "nosuid", "noexec", "nodev", "ro"];
                }
                m.Options?.RemoveAll(o => o == "gid=5");
            }
            spec.Mounts.RemoveAll(m => m.Destination == "/sys/fs/cgroup");
        }
        return spec;
    }
}
