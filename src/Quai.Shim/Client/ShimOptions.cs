using System.Globalization;

namespace Quai.Shim.Client;

/// <summary>What quaid asks of one shim: the quai-shim command line as properties.</summary>
public sealed record ShimOptions
{
    /// <summary>The quai-shim executable.</summary>
    public required string ShimPath { get; init; }

    /// <summary>The container id, as the runtime knows it.</summary>
    public required string Id { get; init; }

    /// <summary>The OCI bundle directory.</summary>
    public required string Bundle { get; init; }

    /// <summary>The shim's state directory (one per container, one per exec).</summary>
    public required string StateDir { get; init; }

    /// <summary>The OCI runtime binary (quai-runtime, runc, crun).</summary>
    public required string RuntimePath { get; init; }

    /// <summary>The runtime's --root, or null for its default.</summary>
    public string? RuntimeRoot { get; init; }

    /// <summary>Give the process a pty.</summary>
    public bool Terminal { get; init; }

    /// <summary>Keep the process's stdin open for attach.</summary>
    public bool Stdin { get; init; }

    /// <summary>Close stdin when the first stdin client half-closes.</summary>
    public bool StdinOnce { get; init; }

    /// <summary>json-file log path (container mode), or null.</summary>
    public string? LogPath { get; init; }

    /// <summary>Rotate the log past this many bytes; 0 = never.</summary>
    public long LogMaxSize { get; init; }

    /// <summary>Log files kept, the current one included.</summary>
    public int LogMaxFile { get; init; } = 1;

    /// <summary>A JSON file of <see cref="RootfsMount"/> to mount on bundle/rootfs, or null.</summary>
    public string? RootfsMountsFile { get; init; }

    /// <summary>Exec mode: the exec id.</summary>
    public string? ExecId { get; init; }

    /// <summary>Exec mode: the OCI process.json.</summary>
    public string? ProcessFile { get; init; }

    /// <summary>How long to wait for the shim's ok/error line.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The arguments after the executable.</summary>
    public IReadOnlyList<string> ToArguments()
    {
        var a = new List<string> { "--id", Id, "--bundle", Bundle, "--state-dir", StateDir, "--runtime", RuntimePath };
        if (RuntimeRoot is not null)
        {
            a.AddRange(["--runtime-root", RuntimeRoot]);
        }
        if (Terminal)
        {
            a.Add("--terminal");
        }
        if (Stdin)
        {
            a.Add("--stdin");
        }
        if (StdinOnce)
        {
            a.Add("--stdin-once");
        }
        if (LogPath is not null)
        {
            a.AddRange(["--log-path", LogPath]);
            if (LogMaxSize > 0)
            {
                a.AddRange(["--log-max-size", LogMaxSize.ToString(CultureInfo.InvariantCulture)]);
            }
            a.AddRange(["--log-max-file", LogMaxFile.ToString(CultureInfo.InvariantCulture)]);
        }
        if (RootfsMountsFile is not null)
        {
            a.AddRange(["--rootfs-mounts", RootfsMountsFile]);
        }
        if (ExecId is not null)
        {
            a.AddRange(["--exec-id", ExecId, "--process", ProcessFile ?? throw new ArgumentException("ProcessFile is required with ExecId (exec mode)")]);
        }
        return a;
    }
}
