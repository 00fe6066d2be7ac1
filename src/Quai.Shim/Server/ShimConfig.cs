using System.Globalization;

namespace Quai.Shim.Server;

/// <summary>quai-shim's command line (see Client/ShimOptions for the launcher's side of it).</summary>
public sealed record ShimConfig
{
    /// <summary>The container id the runtime knows.</summary>
    public required string Id { get; init; }

    /// <summary>The OCI bundle directory (config.json, rootfs).</summary>
    public required string Bundle { get; init; }

    /// <summary>The shim's own directory: shim.sock, shim.pid, init.pid, exit.json, shim.log.</summary>
    public required string StateDir { get; init; }

    /// <summary>The OCI runtime binary (runc command line).</summary>
    public required string Runtime { get; init; }

    /// <summary>The runtime's --root, or null for its default.</summary>
    public string? RuntimeRoot { get; init; }

    /// <summary>Give the process a pty (console socket) instead of pipes.</summary>
    public bool Terminal { get; init; }

    /// <summary>Keep the process's stdin open for attach (else /dev/null).</summary>
    public bool Stdin { get; init; }

    /// <summary>Close the process's stdin when the first stdin client half-closes.</summary>
    public bool StdinOnce { get; init; }

    /// <summary>docker json-file log path (container mode), or null for no log.</summary>
    public string? LogPath { get; init; }

    /// <summary>Rotate the log when it would exceed this many bytes; 0 = never.</summary>
    public long LogMaxSize { get; init; }

    /// <summary>How many log files to keep, the current one included (≥ 1).</summary>
    public int LogMaxFile { get; init; } = 1;

    /// <summary>A JSON array of <see cref="RootfsMount"/> to mount on bundle/rootfs (container mode).</summary>
    public string? RootfsMountsFile { get; init; }

    /// <summary>Exec mode: the exec id (null in container mode).</summary>
    public string? ExecId { get; init; }

    /// <summary>Exec mode: the OCI process.json to run.</summary>
    public string? ProcessFile { get; init; }

    /// <summary>Internal: this is the second, daemonized stage (see ShimMain).</summary>
    public bool Daemonized { get; init; }

    /// <summary>True for an exec process, false for a container.</summary>
    public bool IsExec => ExecId is not null;

    /// <summary>Where the runtime writes the process's pid.</summary>
    public string PidFile => Path.Combine(StateDir, IsExec ? $"exec-{ExecId}.pid" : "init.pid");

    /// <summary>Parses quai-shim's arguments; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public static ShimConfig Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? id = null, bundle = null, stateDir = null, runtime = null, root = null, logPath = null, mounts = null, execId = null, process = null;
        bool terminal = false, stdin = false, stdinOnce = false, daemonized = false;
        long maxSize = 0;
        var maxFile = 1;
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"quai-shim: {a} needs a value");
            switch (a)
            {
                case "--id": id = Value(); break;
                case "--bundle": bundle = Value(); break;
                case "--state-dir": stateDir = Value(); break;
                case "--runtime": runtime = Value(); break;
                case "--runtime-root": root = Value(); break;
                case "--terminal": terminal = true; break;
                case "--stdin": stdin = true; break;
                case "--stdin-once": stdinOnce = true; break;
                case "--log-path": logPath = Value(); break;
                case "--log-max-size": maxSize = Number(a, Value()); break;
                case "--log-max-file": maxFile = (int)Number(a, Value()); break;
                case "--rootfs-mounts": mounts = Value(); break;
                case "--exec-id": execId = Value(); break;
                case "--process": process = Value(); break;
                case "--daemonized": daemonized = true; break;
                default: throw new ArgumentException($"quai-shim: unknown argument '{a}'");
            }
        }
        if (id is null || bundle is null || stateDir is null || runtime is null)
        {
            throw new ArgumentException("quai-shim: --id, --bundle, --state-dir and --runtime are required");
        }
        if ((execId is null) != (process is null))
        {
            throw new ArgumentException("quai-shim: --exec-id and --process go together (exec mode)");
        }
        if (execId is not null && mounts is not null)
        {
            throw new ArgumentException("quai-shim: --rootfs-mounts is for container mode, not with --exec-id");
        }
        return new ShimConfig
        {
            Id = id,
            Bundle = Path.GetFullPath(bundle),
            StateDir = Path.GetFullPath(stateDir),
            Runtime = runtime,
            RuntimeRoot = root,
            Terminal = terminal,
            Stdin = stdin,
            StdinOnce = stdinOnce,
            LogPath = logPath,
            LogMaxSize = maxSize,
            LogMaxFile = Math.Max(1, maxFile),
            RootfsMountsFile = mounts,
            ExecId = execId,
            ProcessFile = process is null ? null : Path.GetFullPath(process),
            Daemonized = daemonized,
        };
    }

    private static long Number(string flag, string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ArgumentException($"quai-shim: {flag} takes a non-negative number of bytes or files, not '{value}'");
}
