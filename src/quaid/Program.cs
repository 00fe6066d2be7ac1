using System.Net;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Quai.Api.Docker;
using Quai.Api.Http;
using Quai.Engine;

namespace Quai.Daemon;

/// <summary>quaid: the engine behind the Docker Engine API.</summary>
internal static class Program
{
    public const string Version = "0.1.0";

    public static async Task<int> Main(string[] args)
    {
        DaemonOptions options;
        try
        {
            options = DaemonOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync("quaid: " + e.Message).ConfigureAwait(false);
            return 1;
        }
        if (Environment.UserName != "root" && Quai.Linux.Interop.Libc.GetEuid() != 0)
        {
            await Console.Error.WriteLineAsync("quaid: must run as root (it mounts filesystems and creates namespaces and cgroups)").ConfigureAwait(false);
            return 1;
        }

        TextWriter logOutput = Console.Error;
        if (options.LogFile is { } logFile)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logFile))!);
            logOutput = new StreamWriter(new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        }
        using var loggers = new TextLoggerFactory(logOutput, options.LogLevel switch
        {
            "debug" => LogLevel.Debug,
            "warn" or "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "fatal" => LogLevel.Critical,
            _ => LogLevel.Information,
        });
        var log = loggers.CreateLogger("quaid");

        try
        {
            return await RunAsync(options, loggers, log).ConfigureAwait(false);
        }
        catch (Exception e) when (e is EngineException or IOException or UnauthorizedAccessException or InvalidOperationException or System.Net.Sockets.SocketException or ArgumentException)
        {
            log.LogCritical("quaid cannot start: {Error}", e.Message);
            await Console.Error.WriteLineAsync("quaid: " + e.Message).ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<int> RunAsync(DaemonOptions options, ILoggerFactory loggers, ILogger log)
    {
        var runtimes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (FindProgram("quai-runtime") is { } quaiRuntime)
        {
            runtimes["quai"] = quaiRuntime;
        }
        foreach (var peer in new[] { "runc", "crun" })
        {
            if (FindProgram(peer) is { } p)
            {
                runtimes[peer] = p;
            }
        }
        foreach (var (name, path) in options.Runtimes)
        {
            runtimes[name] = path;
        }
        if (!runtimes.ContainsKey(options.DefaultRuntime))
        {
            throw new ArgumentException($"default runtime \"{options.DefaultRuntime}\" is not installed: install quai-runtime (./install.sh) or pass --default-runtime runc");
        }
        var shim = FindProgram("quai-shim") ?? throw new ArgumentException("quai-shim was not found next to quaid or on PATH: install it (./install.sh)");

        if (options.PidFile is { } pidFile)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(pidFile))!);
            await File.WriteAllTextAsync(pidFile, Environment.ProcessId + "\n").ConfigureAwait(false);
        }

        var engineOptions = new EngineOptions
        {
            DataRoot = Path.GetFullPath(options.DataRoot),
            ExecRoot = Path.GetFullPath(options.ExecRoot),
            DefaultRuntime = options.DefaultRuntime,
            Runtimes = runtimes,
            ShimPath = shim,
            LogDriver = options.LogDriver,
            LogOptions = options.LogOptions,
            RegistryMirrors = options.RegistryMirrors,
            InsecureRegistries = options.InsecureRegistries,
            LiveRestore = options.LiveRestore,
            CgroupParent = options.CgroupParent,
            Dns = options.Dns,
            Bip = options.Bip,
            BridgeName = options.BridgeName,
            Mtu = options.Mtu,
            AddressPools = options.AddressPools,
        };
        using var engine = new Engine.Engine(engineOptions, loggers);
        await engine.InitializeAsync(CancellationToken.None).ConfigureAwait(false);

        var warnings = new List<string>();
        var api = new DockerApi(engine, new DaemonInfo { Version = Version, Id = DaemonId(engineOptions.DataRoot), Hosts = options.Hosts, Warnings = warnings });
        await using var server = new HttpServer(new HttpServerOptions { ServerHeader = "Docker/" + Version + " (linux)" }, api.HandleAsync, loggers.CreateLogger("http"));
        foreach (var host in options.Hosts)
        {
            Listen(server, host, options, warnings, log);
        }

        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        log.LogInformation("quaid {Version} serving the Docker Engine API {Api} on {Hosts}; containers keep running when it stops", Version, DockerApi.MaxApiVersion, string.Join(", ", options.Hosts));
        await server.RunAsync(stop.Token).ConfigureAwait(false);
        log.LogInformation("quaid stopped; running containers stay with their shims");
        if (options.PidFile is { } pf)
        {
            File.Delete(pf);
        }
        return 0;
    }

    private static void Listen(HttpServer server, string host, DaemonOptions options, List<string> warnings, ILogger log)
    {
        if (host.StartsWith("unix://", StringComparison.Ordinal) || host.StartsWith('/'))
        {
            var path = host.StartsWith('/') ? host : host["unix://".Length..];
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            server.ListenUnix(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, GroupId(options.Group));
            return;
        }
        if (host.StartsWith("tcp://", StringComparison.Ordinal) || host.StartsWith("fd://", StringComparison.Ordinal) is false && host.Contains(':', StringComparison.Ordinal))
        {
            var rest = host.StartsWith("tcp://", StringComparison.Ordinal) ? host["tcp://".Length..] : host;
            var endpoint = IPEndPoint.Parse(rest.Length > 0 && rest[0] == ':' ? "0.0.0.0" + rest : rest);
            TlsOptions? tls = null;
            if (options.TlsVerify || options.Tls)
            {
                if (options.TlsCert is null || options.TlsKey is null)
                {
                    throw new ArgumentException("TLS needs --tlscert and --tlskey");
                }
                if (options.TlsVerify && options.TlsCaCert is null)
                {
                    throw new ArgumentException("--tlsverify needs --tlscacert to verify clients");
                }
                tls = new TlsOptions(options.TlsCert, options.TlsKey, options.TlsVerify ? options.TlsCaCert : null);
            }
            else if (!IPAddress.IsLoopback(endpoint.Address))
            {
                throw new ArgumentException($"refusing to listen on {host} without TLS: anyone who reaches it would be root on this host. Use --tlsverify with --tlscacert/--tlscert/--tlskey, or a loopback address");
            }
            else
            {
                const string warning = "API is accessible on a TCP loopback socket without encryption: any local user can control the daemon";
                warnings.Add("WARNING: " + warning);
                log.LogWarning("{Warning} ({Host})", warning, host);
            }
            server.ListenTcp(endpoint, tls);
            return;
        }
        throw new ArgumentException($"invalid host {host}: use unix:///path or tcp://host:port");
    }

    private static int? GroupId(string? group)
    {
        if (string.IsNullOrEmpty(group) || !File.Exists("/etc/group"))
        {
            return null;
        }
        foreach (var line in File.ReadLines("/etc/group"))
        {
            var f = line.Split(':');
            if (f.Length >= 3 && f[0] == group && int.TryParse(f[2], out var gid))
            {
                return gid;
            }
        }
        return null;
    }

    private static string DaemonId(string dataRoot)
    {
        var file = Path.Combine(dataRoot, "engine-id");
        if (File.Exists(file))
        {
            return File.ReadAllText(file).Trim();
        }
        var id = Guid.NewGuid().ToString().ToUpperInvariant();
        File.WriteAllText(file, id + "\n");
        return id;
    }

    /// <summary>A program next to quaid's own binary first (an install keeps them together), then on PATH.</summary>
    private static string? FindProgram(string name)
    {
        var own = Path.Combine(AppContext.BaseDirectory, name);
        if (File.Exists(own))
        {
            return own;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin").Split(':'))
        {
            var p = Path.Combine(dir, name);
            if (File.Exists(p))
            {
                return p;
            }
        }
        return null;
    }
}
