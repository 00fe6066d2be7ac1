using System.Text.Json;
using Quai.Oci;
using Quai.Oci.Runtime;

namespace Quai.Testing;

/// <summary>
/// OCI bundles for runtime tests: a busybox rootfs plus a config.json built from the same
/// defaults `runc spec` prints (runtime-spec v1.2 config.md, config-linux.md), except that the
/// root is writable, there is no terminal and the hostname names the suite.
/// </summary>
public static class OciBundle
{
    /// <summary>The hostname <see cref="DefaultSpec"/> configures.</summary>
    public const string Hostname = "quai-conformance";

    /// <summary>The capabilities `runc spec` grants (bounding, effective, permitted, ambient).</summary>
    public static IReadOnlyList<string> DefaultCapabilities { get; } = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];

    /// <summary>Paths `runc spec` masks (config-linux.md#masked-paths).</summary>
    public static IReadOnlyList<string> DefaultMaskedPaths { get; } =
    [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
    ];

    /// <summary>Paths `runc spec` makes read-only (config-linux.md#readonly-paths).</summary>
    public static IReadOnlyList<string> DefaultReadonlyPaths { get; } = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    /// <summary>
    /// The ociVersion the test bundles declare: what `runc spec` writes, and accepted by every
    /// peer (crun 1.8.1 refuses "1.2.0" with "unknown version specified").
    /// </summary>
    public const string BundleOciVersion = "1.0.2";

    /// <summary>A config like `runc spec`'s, running <paramref name="args"/>.</summary>
    public static Spec DefaultSpec(params string[] args) => new()
    {
        OciVersion = BundleOciVersion,
        Process = new Oci.Runtime.Process
        {
            Terminal = false,
            User = new User { Uid = 0, Gid = 0 },
            Args = [.. args],
            Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
            Cwd = "/",
            Capabilities = new Capabilities
            {
                Bounding = [.. DefaultCapabilities],
                Effective = [.. DefaultCapabilities],
                Permitted = [.. DefaultCapabilities],
                Ambient = [.. DefaultCapabilities],
            },
            Rlimits = [new Rlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 }],
            NoNewPrivileges = true,
        },
        Root = new Oci.Runtime.Root { Path = "rootfs", Readonly = false },
        Hostname = Hostname,
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
        Linux = new Oci.Runtime.Linux
        {
            Resources = new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }] },
            Namespaces =
            [
                new LinuxNamespace { Type = NamespaceTypes.Pid },
                new LinuxNamespace { Type = NamespaceTypes.Network },
                new LinuxNamespace { Type = NamespaceTypes.Ipc },
                new LinuxNamespace { Type = NamespaceTypes.Uts },
                new LinuxNamespace { Type = NamespaceTypes.Mount },
            ],
            MaskedPaths = [.. DefaultMaskedPaths],
            ReadonlyPaths = [.. DefaultReadonlyPaths],
        },
    };

    /// <summary>Makes <paramref name="bundle"/>/rootfs from busybox and writes <paramref name="spec"/> as config.json.</summary>
    public static void Create(string bundle, Spec spec)
    {
        Busybox.CreateRootfs(Path.Combine(bundle, spec.Root?.Path ?? "rootfs"));
        WriteConfig(bundle, spec);
    }

    /// <summary>(Re)writes <paramref name="bundle"/>/config.json.</summary>
    public static void WriteConfig(string bundle, Spec spec) =>
        File.WriteAllText(Path.Combine(bundle, "config.json"), JsonSerializer.Serialize(spec, OciJson.Pretty.Spec));
}
