using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Quai.Oci;
using Quai.Oci.Runtime;

namespace Quai.Engine.RuntimeCli;

/// <summary>
/// An OCI runtime driven through runc's command line (the boundary ARCHITECTURE.md draws), so
/// quai-runtime, runc and crun are interchangeable. Create is the shim's job; everything after it
/// (start, kill, pause, state, ps, update, delete) is done here.
/// </summary>
public sealed class OciRuntime
{
    /// <summary>Creates a driver for the runtime at <paramref name="path"/> with state under <paramref name="root"/>.</summary>
    public OciRuntime(string name, string path, string root)
    {
        Name = name;
        Path = path;
        Root = root;
    }

    /// <summary>The runtime's name in daemon.json ("quai", "runc").</summary>
    public string Name { get; }

    /// <summary>The executable.</summary>
    public string Path { get; }

    /// <summary>The runtime's --root.</summary>
    public string Root { get; }

    /// <summary>`start ID`.</summary>
    public Task StartAsync(string id, CancellationToken ct = default) => RunCheckedAsync(ct, "start", id);

    /// <summary>`kill [--all] ID SIGNAL`.</summary>
    public Task KillAsync(string id, int signal, bool all = false, CancellationToken ct = default) =>
        all ? RunCheckedAsync(ct, "kill", "--all", id, signal.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : RunCheckedAsync(ct, "kill", id, signal.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>`pause ID` (freezer).</summary>
    public Task PauseAsync(string id, CancellationToken ct = default) => RunCheckedAsync(ct, "pause", id);

    /// <summary>`resume ID`.</summary>
    public Task ResumeAsync(string id, CancellationToken ct = default) => RunCheckedAsync(ct, "resume", id);

    /// <summary>`delete --force ID`; a container the runtime does not know is not an error.</summary>
    public async Task DeleteAsync(string id, CancellationToken ct = default)
    {
        var r = await RunAsync(ct, "delete", "--force", id).ConfigureAwait(false);
        if (r.ExitCode != 0 && !r.Stderr.Contains("does not exist", StringComparison.OrdinalIgnoreCase) && !r.Stderr.Contains("not found", StringComparison.OrdinalIgnoreCase))
        {
            throw Failure("delete", id, r);
        }
    }

    /// <summary>
    /// Does the runtime still hold state for the container? runc, crun and quai-runtime all keep a
    /// container's state in the directory <c>ROOT/ID</c> and remove it on delete, so a missing
    /// directory spares a `delete` process (the shim has usually deleted the container already).
    /// </summary>
    public bool HasState(string id) => Directory.Exists(System.IO.Path.Combine(Root, id));

    /// <summary>`state ID`, or null when the runtime does not know the container.</summary>
    public async Task<State?> StateAsync(string id, CancellationToken ct = default)
    {
        var r = await RunAsync(ct, "state", id).ConfigureAwait(false);
        return r.ExitCode != 0 ? null : JsonSerializer.Deserialize(r.Stdout, OciJson.Compact.State);
    }

    /// <summary>`ps --format json ID`: the host pids of the container's processes.</summary>
    public async Task<IReadOnlyList<int>> PidsAsync(string id, CancellationToken ct = default)
    {
        var r = await RunAsync(ct, "ps", "--format", "json", id).ConfigureAwait(false);
        if (r.ExitCode != 0)
        {
            throw Failure("ps", id, r);
        }
        using var doc = JsonDocument.Parse(r.Stdout.Length == 0 ? "[]" : r.Stdout);
        return doc.RootElement.ValueKind == JsonValueKind.Array ? [.. doc.RootElement.EnumerateArray().Select(e => e.GetInt32())] : [];
    }

    /// <summary>`update --resources FILE ID`.</summary>
    public async Task UpdateAsync(string id, LinuxResources resources, CancellationToken ct = default)
    {
        var file = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "quai-update-" + id + "-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(resources, OciJson.Compact.LinuxResources), ct).ConfigureAwait(false);
            await RunCheckedAsync(ct, "update", "--resources", file, id).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task RunCheckedAsync(CancellationToken ct, params string[] args)
    {
        var r = await RunAsync(ct, args).ConfigureAwait(false);
        if (r.ExitCode != 0)
        {
            throw Failure(args[0], args[^1], r);
        }
    }

    private EngineException Failure(string verb, string id, Result r)
    {
        var message = CleanMessage(r.Stderr);
        var kind = message.Contains("does not exist", StringComparison.OrdinalIgnoreCase) || message.Contains("not found", StringComparison.OrdinalIgnoreCase)
            ? EngineErrorKind.NotFound
            : message.Contains("not running", StringComparison.OrdinalIgnoreCase) || message.Contains("not paused", StringComparison.OrdinalIgnoreCase) || message.Contains("is paused", StringComparison.OrdinalIgnoreCase)
                ? EngineErrorKind.Conflict
                : EngineErrorKind.Internal;
        return new EngineException(kind, $"{Name} {verb} {id[..Math.Min(12, id.Length)]}: {message}");
    }

    /// <summary>Turns a runtime's stderr (text or runc's JSON log lines) into one message.</summary>
    public static string CleanMessage(string stderr)
    {
        var lines = new List<string>();
        foreach (var raw in stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (raw.StartsWith('{'))
            {
                try
                {
                    using var doc = JsonDocument.Parse(raw);
                    if (doc.RootElement.TryGetProperty("msg", out var msg))
                    {
                        lines.Add(msg.GetString() ?? raw);
                        continue;
                    }
                }
                catch (JsonException)
                {
                }
            }
            lines.Add(raw);
        }
        return lines.Count == 0 ? "failed with no message" : string.Join("; ", lines);
    }

    /// <summary>
    /// Runs `runtime --root ROOT ARGS…` and collects its exit code, stdout and stderr. posix_spawn
    /// and a pidfd rather than System.Diagnostics.Process: `runtime start` is on docker run's path,
    /// and Process.Start with its exit notification through the runtime's SIGCHLD thread added
    /// 1.5–3 ms around a 3.5 ms process (quaid's phase log against ftrace).
    /// </summary>
    private async Task<Result> RunAsync(CancellationToken ct, params string[] args)
    {
        string[] argv = [Path, "--root", Root, .. args];
        var (outRead, outWrite) = Quai.Linux.FdIo.Pipe();
        var (errRead, errWrite) = Quai.Linux.FdIo.Pipe();
        int pid;
        try
        {
            using var devnull = Quai.Linux.FdIo.Open("/dev/null", Quai.Linux.Interop.Libc.O_RDONLY);
            pid = Quai.Linux.Spawn.Start(Path, argv, Environ.Value, [(devnull.Fd, 0), (outWrite.Fd, 1), (errWrite.Fd, 2)]);
        }
        catch (IOException e)
        {
            outRead.Dispose();
            errRead.Dispose();
            throw new EngineException(EngineErrorKind.Internal, $"cannot run the OCI runtime {Path}: {e.Message}", e);
        }
        finally
        {
            outWrite.Dispose();
            errWrite.Dispose();
        }
        var stdout = ReadAllAsync(outRead);
        var stderr = ReadAllAsync(errRead);
        try
        {
            await ExitWatcher.Value.WatchAsync(pid, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The caller gave up; the runtime runs to its end and is reaped then.
            _ = Task.Run(() => Quai.Linux.Spawn.Wait(pid), CancellationToken.None);
            throw;
        }
        var status = Quai.Linux.Spawn.Wait(pid);
        return new Result(status.ShellExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    private static readonly Lazy<Quai.Linux.ProcessExitWatcher> ExitWatcher = new(() => new Quai.Linux.ProcessExitWatcher());

    /// <summary>quaid's environment, passed on to the runtime as Process.Start did.</summary>
    private static readonly Lazy<List<string>> Environ = new(Quai.Linux.Spawn.CurrentEnvironment);

    /// <summary>
    /// Reads a pipe to its end (the runtime may write more than a pipe holds); a pipe stream reads
    /// through epoll on Linux, so no thread waits on it.
    /// </summary>
    private static async Task<string> ReadAllAsync(Quai.Linux.Interop.FileDescriptorHandle pipe)
    {
        var handle = new Microsoft.Win32.SafeHandles.SafePipeHandle(pipe.DangerousGetHandle(), ownsHandle: true);
        pipe.SetHandleAsInvalid();
        using var stream = new System.IO.Pipes.AnonymousPipeClientStream(System.IO.Pipes.PipeDirection.In, handle);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync().ConfigureAwait(false);
    }

    private readonly record struct Result(int ExitCode, string Stdout, string Stderr);
}
