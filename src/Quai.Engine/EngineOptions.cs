namespace Quai.Engine;

/// <summary>Where the engine keeps its state and which programs it runs (daemon.json and flags).</summary>
public sealed class EngineOptions
{
    /// <summary>Persistent state (--data-root), default /var/lib/quai.</summary>
    public string DataRoot { get; init; } = "/var/lib/quai";

    /// <summary>Runtime state (--exec-root), default /run/quai: shim sockets, runtime state.</summary>
    public string ExecRoot { get; init; } = "/run/quai";

    /// <summary>The OCI runtime used when a container names none ("default-runtime").</summary>
    public string DefaultRuntime { get; init; } = "quai";

    /// <summary>Runtimes by name → executable path ("runtimes" in daemon.json); "quai", "runc", "crun" are known.</summary>
    public Dictionary<string, string> Runtimes { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The quai-shim executable.</summary>
    public string ShimPath { get; init; } = "quai-shim";

    /// <summary>Default log driver ("json-file", or "none").</summary>
    public string LogDriver { get; init; } = "json-file";

    /// <summary>Default log options (max-size, max-file).</summary>
    public Dictionary<string, string> LogOptions { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Registry mirrors (for docker.io).</summary>
    public List<string> RegistryMirrors { get; init; } = [];

    /// <summary>Registries reached over plain HTTP (hosts, host:port or CIDRs).</summary>
    public List<string> InsecureRegistries { get; init; } = [];

    /// <summary>Keep containers running when the daemon stops (containers always outlive a crash).</summary>
    public bool LiveRestore { get; init; }

    /// <summary>The cgroup parent of containers (cgroupsPath = parent/ID).</summary>
    public string CgroupParent { get; init; } = "/quai";

    /// <summary>Upstream DNS servers ("dns" in daemon.json).</summary>
    public List<string> Dns { get; init; } = [];

    /// <summary>The default bridge network's address and prefix ("bip" in daemon.json), e.g. 172.30.0.1/16.</summary>
    public string? Bip { get; init; }

    /// <summary>The default bridge's interface name ("bridge" in daemon.json); quai0 by default.</summary>
    public string? BridgeName { get; init; }

    /// <summary>MTU of the default bridge ("mtu").</summary>
    public int? Mtu { get; init; }

    /// <summary>Pools for user networks' subnets ("default-address-pools"); docker's defaults when empty.</summary>
    public IReadOnlyList<Quai.Network.Ipam.AddressPool> AddressPools { get; init; } = [];

    /// <summary>Path of the containers' directory.</summary>
    public string ContainersDir => Path.Combine(DataRoot, "containers");

    /// <summary>The init layer every container's overlay has under its own layer (<see cref="Containers.InitLayer"/>).</summary>
    public string InitLayerDir => Path.Combine(DataRoot, "init-layer");

    /// <summary>Path of the volumes' directory.</summary>
    public string VolumesDir => Path.Combine(DataRoot, "volumes");

    /// <summary>Runtime --root for containers this engine runs.</summary>
    public string RuntimeRoot => Path.Combine(ExecRoot, "runtime");

    /// <summary>Shim state directories.</summary>
    public string ShimsDir => Path.Combine(ExecRoot, "shims");
}
