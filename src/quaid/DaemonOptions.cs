using System.Text.Json;

namespace Quai.Daemon;

/// <summary>quaid's configuration: dockerd's flags where they apply, over /etc/quai/daemon.json.</summary>
internal sealed class DaemonOptions
{
    public List<string> Hosts { get; } = [];
    public string DataRoot { get; set; } = "/var/lib/quai";
    public string ExecRoot { get; set; } = "/run/quai";
    public string ConfigFile { get; set; } = "/etc/quai/daemon.json";
    public bool ConfigFileGiven { get; set; }
    public string DefaultRuntime { get; set; } = "quai";
    public Dictionary<string, string> Runtimes { get; } = new(StringComparer.Ordinal);
    public List<string> RegistryMirrors { get; } = [];
    public List<string> InsecureRegistries { get; } = [];
    public string LogDriver { get; set; } = "json-file";
    public Dictionary<string, string> LogOptions { get; } = new(StringComparer.Ordinal);
    public bool LiveRestore { get; set; }
    public bool TlsVerify { get; set; }
    public bool Tls { get; set; }
    public string? TlsCaCert { get; set; }
    public string? TlsCert { get; set; }
    public string? TlsKey { get; set; }
    public string? Group { get; set; } = "quai";
    public string? LogFile { get; set; }
    public string LogLevel { get; set; } = "info";
    public string? PidFile { get; set; }
    public List<string> Dns { get; } = [];
    public string CgroupParent { get; set; } = "/quai";
    public string? Bip { get; set; }
    public string? BridgeName { get; set; }
    public int? Mtu { get; set; }
    public List<Quai.Network.Ipam.AddressPool> AddressPools { get; } = [];

    /// <summary>Parses the command line (dockerd's spelling), then merges daemon.json under it.</summary>
    public static DaemonOptions Parse(string[] args)
    {
        var o = new DaemonOptions();
        var explicitFlags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            string? inline = null;
            var eq = a.IndexOf('=', StringComparison.Ordinal);
            if (a.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inline = a[(eq + 1)..];
                a = a[..eq];
            }
            string Value() => inline ?? (++i < args.Length ? args[i] : throw new ArgumentException($"flag needs an argument: {a}"));
            explicitFlags.Add(a);
            switch (a)
            {
                case "-H" or "--host": o.Hosts.Add(Value()); break;
                case "--data-root" or "-g" or "--graph": o.DataRoot = Value(); break;
                case "--exec-root": o.ExecRoot = Value(); break;
                case "--config-file": o.ConfigFile = Value(); o.ConfigFileGiven = true; break;
                case "--default-runtime": o.DefaultRuntime = Value(); break;
                case "--add-runtime":
                    var rt = Value().Split('=', 2);
                    if (rt.Length != 2)
                    {
                        throw new ArgumentException("--add-runtime wants NAME=PATH");
                    }
                    o.Runtimes[rt[0]] = rt[1];
                    break;
                case "--registry-mirror": o.RegistryMirrors.Add(Value()); break;
                case "--insecure-registry": o.InsecureRegistries.Add(Value()); break;
                case "--log-driver": o.LogDriver = Value(); break;
                case "--log-opt":
                    var kv = Value().Split('=', 2);
                    o.LogOptions[kv[0]] = kv.Length > 1 ? kv[1] : "";
                    break;
                case "--live-restore": o.LiveRestore = inline is null or "true"; break;
                case "--tlsverify": o.TlsVerify = inline is null or "true"; break;
                case "--tls": o.Tls = inline is null or "true"; break;
                case "--tlscacert": o.TlsCaCert = Value(); break;
                case "--tlscert": o.TlsCert = Value(); break;
                case "--tlskey": o.TlsKey = Value(); break;
                case "-G" or "--group": o.Group = Value(); break;
                case "--log-file": o.LogFile = Value(); break;
                case "-l" or "--log-level": o.LogLevel = Value(); break;
                case "-D" or "--debug": o.LogLevel = "debug"; break;
                case "-p" or "--pidfile": o.PidFile = Value(); break;
                case "--dns": o.Dns.Add(Value()); break;
                case "--cgroup-parent": o.CgroupParent = Value(); break;
                case "--bip": o.Bip = Value(); break;
                case "-b" or "--bridge": o.BridgeName = Value(); break;
                case "--mtu": o.Mtu = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "-h" or "--help":
                    Console.Out.Write(Help);
                    Environment.Exit(0);
                    break;
                case "-v" or "--version":
                    Console.Out.WriteLine("Quai daemon version " + Program.Version);
                    Environment.Exit(0);
                    break;
                default:
                    throw new ArgumentException($"unknown flag: {a} (see quaid --help)");
            }
        }
        o.MergeConfigFile(explicitFlags);
        if (o.Hosts.Count == 0)
        {
            o.Hosts.Add("unix://" + Path.Combine(o.ExecRoot, "quai.sock"));
        }
        return o;
    }

    private void MergeConfigFile(HashSet<string> explicitFlags)
    {
        if (!File.Exists(ConfigFile))
        {
            if (ConfigFileGiven)
            {
                throw new ArgumentException($"the configuration file {ConfigFile} does not exist");
            }
            return;
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(ConfigFile), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"unable to configure the daemon with file {ConfigFile}: {e.Message}", e);
        }
        using (doc)
        {
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "hosts" when !explicitFlags.Contains("-H") && !explicitFlags.Contains("--host"):
                        Hosts.AddRange(p.Value.EnumerateArray().Select(e => e.GetString()!));
                        break;
                    case "data-root" when !explicitFlags.Contains("--data-root"): DataRoot = p.Value.GetString()!; break;
                    case "exec-root" when !explicitFlags.Contains("--exec-root"): ExecRoot = p.Value.GetString()!; break;
                    case "default-runtime" when !explicitFlags.Contains("--default-runtime"): DefaultRuntime = p.Value.GetString()!; break;
                    case "runtimes":
                        foreach (var r in p.Value.EnumerateObject())
                        {
                            Runtimes.TryAdd(r.Name, r.Value.GetProperty("path").GetString()!);
                        }
                        break;
                    case "registry-mirrors": RegistryMirrors.AddRange(p.Value.EnumerateArray().Select(e => e.GetString()!)); break;
                    case "insecure-registries": InsecureRegistries.AddRange(p.Value.EnumerateArray().Select(e => e.GetString()!)); break;
                    case "log-driver" when !explicitFlags.Contains("--log-driver"): LogDriver = p.Value.GetString()!; break;
                    case "log-opts":
                        foreach (var kv in p.Value.EnumerateObject())
                        {
                            LogOptions.TryAdd(kv.Name, kv.Value.GetString() ?? "");
                        }
                        break;
                    case "live-restore": LiveRestore = p.Value.GetBoolean(); break;
                    case "tlsverify": TlsVerify = p.Value.GetBoolean(); break;
                    case "tls": Tls = p.Value.GetBoolean(); break;
                    case "tlscacert": TlsCaCert ??= p.Value.GetString(); break;
                    case "tlscert": TlsCert ??= p.Value.GetString(); break;
                    case "tlskey": TlsKey ??= p.Value.GetString(); break;
                    case "group": Group = p.Value.GetString(); break;
                    case "log-level": LogLevel = p.Value.GetString()!; break;
                    case "debug" when p.Value.GetBoolean(): LogLevel = "debug"; break;
                    case "pidfile": PidFile ??= p.Value.GetString(); break;
                    case "dns": Dns.AddRange(p.Value.EnumerateArray().Select(e => e.GetString()!)); break;
                    case "cgroup-parent": CgroupParent = p.Value.GetString()!; break;
                    case "bip": Bip ??= p.Value.GetString(); break;
                    case "bridge": BridgeName ??= p.Value.GetString(); break;
                    case "mtu": Mtu ??= p.Value.GetInt32(); break;
                    case "default-address-pools":
                        foreach (var pool in p.Value.EnumerateArray())
                        {
                            AddressPools.Add(Quai.Network.Ipam.AddressPool.Parse(pool.GetProperty("base").GetString()!, pool.GetProperty("size").GetInt32()));
                        }
                        break;
                    default:
                        throw new ArgumentException($"unable to configure the daemon with file {ConfigFile}: the following directives don't match any configuration option: {p.Name}");
                }
            }
        }
    }

    private const string Help = """
        Usage:	quaid [OPTIONS]

        Quai's daemon: the Docker Engine API over a unix socket (TCP with TLS).

        Options:
              --add-runtime NAME=PATH      Register an OCI runtime
              --cgroup-parent string       Parent cgroup of all containers (default "/quai")
              --config-file string         Daemon configuration file (default "/etc/quai/daemon.json")
              --data-root string           Root directory of persistent state (default "/var/lib/quai")
          -D, --debug                      Enable debug mode
              --default-runtime string     Default OCI runtime for containers (default "quai")
              --dns list                   DNS servers to use
              --exec-root string           Root directory for execution state files (default "/run/quai")
          -G, --group string               Group for the unix socket (default "quai")
          -H, --host list                  Daemon socket(s) to listen on (unix:///path, tcp://host:port)
              --insecure-registry list     Registries reached over plain HTTP
              --live-restore               Keep containers running while the daemon is down
              --log-driver string          Default log driver (default "json-file")
              --log-file string            Write the daemon's log to a file instead of stderr
          -l, --log-level string           Log level (debug, info, warn, error) (default "info")
              --log-opt map                Default log driver options
          -p, --pidfile string             Path of the daemon's PID file
              --registry-mirror list       Registry mirror for docker.io
              --tls                        Use TLS on TCP sockets
              --tlscacert string           Trust certs signed only by this CA
              --tlscert string             Path to the TLS certificate file
              --tlskey string              Path to the TLS key file
              --tlsverify                  Use TLS and verify the client's certificate
          -v, --version                    Print version information and quit

        """;
}
