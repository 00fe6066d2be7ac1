using System.Text;
using System.Text.Json;
using Quai.Oci;
using Quai.Oci.Runtime;
using Quai.Shim.Client;
using Quai.Testing;

namespace Quai.Shim.Tests;

/// <summary>
/// A busybox bundle whose rootfs is bind-mounted by the shim (--rootfs-mounts), a private
/// runtime --root, a state directory and a unique id, all under one temporary directory that
/// is removed, with any shim, container and mount left behind, on dispose.
/// </summary>
internal sealed class ShimTestContainer : IDisposable
{
    private readonly TempDir _dir = new("quai-shim");

    public ShimTestContainer(string runtime, Action<Spec>? configure = null, params string[] args)
    {
        Runtime = RuntimeUnderTest.Get(runtime);
        Id = "shim-" + Guid.NewGuid().ToString("N")[..12];
        Bundle = _dir.Combine("bundle");
        RootfsSource = _dir.Combine("rootfs-src");
        StateDir = _dir.Combine("state");
        RuntimeRoot = _dir.Combine("runtime-root");
        LogPath = _dir.Combine("logs", "container.log");
        Directory.CreateDirectory(Path.Combine(Bundle, "rootfs"));
        Busybox.CreateRootfs(RootfsSource);
        var spec = OciBundle.DefaultSpec(args);
        configure?.Invoke(spec);
        OciBundle.WriteConfig(Bundle, spec);
        MountsFile = _dir.Combine("mounts.json");
        File.WriteAllText(MountsFile, $"[{{\"type\":\"bind\",\"source\":\"{RootfsSource}\",\"options\":[\"rbind\",\"rw\"]}}]");
    }

    public RuntimeUnderTest Runtime { get; }

    public string Id { get; }

    public string Bundle { get; }

    public string RootfsSource { get; }

    public string StateDir { get; }

    public string RuntimeRoot { get; }

    public string LogPath { get; }

    public string MountsFile { get; }

    /// <summary>Container-mode options with the rootfs mount and the json-file log.</summary>
    public ShimOptions Options() => new()
    {
        ShimPath = ShimBinary.Path,
        Id = Id,
        Bundle = Bundle,
        StateDir = StateDir,
        RuntimePath = Runtime.BinaryPath,
        RuntimeRoot = RuntimeRoot,
        LogPath = LogPath,
        RootfsMountsFile = MountsFile,
        StartTimeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>Exec-mode options running <paramref name="process"/> in this container.</summary>
    public ShimOptions ExecOptions(string execId, Oci.Runtime.Process process)
    {
        var file = _dir.Combine($"exec-{execId}.json");
        File.WriteAllText(file, JsonSerializer.Serialize(process, OciJson.Compact.Process));
        return new ShimOptions
        {
            ShimPath = ShimBinary.Path,
            Id = Id,
            Bundle = Bundle,
            StateDir = _dir.Combine($"exec-state-{execId}"),
            RuntimePath = Runtime.BinaryPath,
            RuntimeRoot = RuntimeRoot,
            ExecId = execId,
            ProcessFile = file,
            StartTimeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>Runs the runtime with this container's --root.</summary>
    public RuntimeResult RuntimeCommand(params string[] args) => Runtime.Invoke(["--root", RuntimeRoot, .. args]);

    /// <summary>`runtime start ID`, which quaid runs itself.</summary>
    public void Start() => RuntimeCommand("start", Id).EnsureSuccess();

    /// <summary>The pid in shim.pid, or 0.</summary>
    public int ShimPid(string? stateDir = null)
    {
        var file = Path.Combine(stateDir ?? StateDir, "shim.pid");
        return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out var pid) ? pid : 0;
    }

    /// <summary>True when a process whose command line mentions this container's id is alive (a shim, the runtime, ...).</summary>
    public bool AnyProcessMentionsId()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (cmdline.Contains(Id, StringComparison.Ordinal) && !File.ReadAllText(Path.Combine(dir, "stat")).Contains(") Z ", StringComparison.Ordinal))
                {
                    return true;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return false;
    }

    /// <summary>True when <paramref name="pid"/> is a live quai-shim for this container (not a recycled pid).</summary>
    public bool IsShimOfThisContainer(int pid)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Contains("quai-shim", StringComparison.Ordinal) && cmdline.Contains(Id, StringComparison.Ordinal)
                && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Reads attach frames to the end: (stdout, stderr).</summary>
    public static async Task<(string Stdout, string Stderr)> ReadAllFramesAsync(Stream stream, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        while (await ShimFrame.ReadAsync(stream, cts.Token) is { } frame)
        {
            (frame.Stream == 2 ? stderr : stdout).Append(Encoding.UTF8.GetString(frame.Data));
        }
        return (stdout.ToString(), stderr.ToString());
    }

    public void Dispose()
    {
        foreach (var stateDir in Directory.EnumerateDirectories(_dir.Path, "*state*"))
        {
            var pid = ShimPid(stateDir);
            if (pid > 0 && IsShimOfThisContainer(pid))
            {
                _ = Linux.Interop.Libc.Kill(pid, Linux.Signals.SIGKILL);
            }
        }
        RuntimeCommand("delete", "--force", Id);
        _dir.Dispose();
    }
}
