using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Quai.Api.Models;
using Quai.Engine.Containers;
using Quai.Engine.Events;
using Quai.Oci;
using Quai.Oci.Runtime;
using Quai.Shim.Client;

namespace Quai.Engine.Exec;

/// <summary>
/// `docker exec`: an extra process in a running container, run by its own quai-shim in exec mode
/// (`runtime exec --detach`), so that its stdio and exit code are kept like the container's.
/// </summary>
public sealed class ExecService
{
    private readonly EngineOptions _options;
    private readonly ContainerService _containers;
    private readonly EventBus _events;
    private readonly ConcurrentDictionary<string, ExecRecord> _execs = new(StringComparer.Ordinal);

    internal ExecService(EngineOptions options, ContainerService containers, EventBus events)
    {
        _options = options;
        _containers = containers;
        _events = events;
        containers.ExecIdsOf = id => [.. _execs.Values.Where(e => e.ContainerId == id).Select(e => e.Id)];
        containers.Removed += id =>
        {
            foreach (var e in _execs.Values.Where(e => e.ContainerId == id))
            {
                _execs.TryRemove(e.Id, out _);
            }
        };
    }

    /// <summary>POST /containers/{id}/exec.</summary>
    public string Create(string nameOrId, ExecConfig config)
    {
        var c = _containers.Get(nameOrId);
        if (!_containers.IsRunning(c))
        {
            throw EngineException.Conflict($"container {c.Id} is not running");
        }
        if (c.State.Status == "paused")
        {
            throw EngineException.Conflict($"container {c.Id} is paused, unpause the container before exec");
        }
        if (config.Cmd is null or { Count: 0 })
        {
            throw EngineException.Invalid("No exec command specified");
        }
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _execs[id] = new ExecRecord { Id = id, ContainerId = c.Id, Config = config };
        _events.Publish("container", "exec_create: " + string.Join(' ', config.Cmd), c.Id, new Dictionary<string, string> { ["name"] = c.Name, ["execID"] = id });
        return id;
    }

    /// <summary>An exec by ID; 404 "No such exec instance".</summary>
    public ExecRecord Get(string id) =>
        _execs.TryGetValue(id, out var e) ? e : throw new EngineException(EngineErrorKind.NotFound, $"No such exec instance: {id}");

    /// <summary>
    /// POST /exec/{id}/start: runs the process; returns the attachment to stream (null when detached).
    /// </summary>
    public async Task<ShimAttachment?> StartAsync(string id, bool detach, IReadOnlyList<long>? consoleSize, CancellationToken ct)
    {
        var e = Get(id);
        lock (e)
        {
            if (e.Started)
            {
                throw EngineException.Conflict($"Error: Exec command {id} has already run");
            }
            e.Started = true;
        }
        var c = _containers.Get(e.ContainerId);
        if (!_containers.IsRunning(c))
        {
            throw EngineException.Conflict($"container {c.Id} is not running");
        }
        var process = await BuildProcessAsync(c, e.Config, consoleSize, ct).ConfigureAwait(false);
        var stateDir = Path.Combine(_options.ShimsDir, "x" + id[..31]);
        Directory.CreateDirectory(stateDir);
        var processFile = Path.Combine(stateDir, "process.json");
        await File.WriteAllTextAsync(processFile, JsonSerializer.Serialize(process, OciJson.Compact.Process), ct).ConfigureAwait(false);
        e.StateDir = stateDir;
        var runtime = _containers.RuntimeOf(c);
        ShimHandle handle;
        try
        {
            handle = await ShimLauncher.StartAsync(new ShimOptions
            {
                ShimPath = _options.ShimPath,
                Id = c.Id,
                Bundle = Path.Combine(_options.ContainersDir, c.Id),
                StateDir = stateDir,
                RuntimePath = runtime.Path,
                RuntimeRoot = runtime.Root,
                Terminal = e.Config.Tty == true,
                Stdin = e.Config.AttachStdin == true,
                StdinOnce = true,
                ExecId = id,
                ProcessFile = processFile,
            }, ct).ConfigureAwait(false);
        }
        catch (ShimException ex)
        {
            e.ExitCode = ex.Message.Contains("not found", StringComparison.Ordinal) || ex.Message.Contains("no such file", StringComparison.OrdinalIgnoreCase) ? 127 : 126;
            e.Exited.TrySetResult(e.ExitCode.Value);
            throw new EngineException(EngineErrorKind.InvalidArgument, "OCI runtime exec failed: " + ex.Message + ": unknown");
        }
        e.Pid = handle.Pid;
        e.Running = true;
        var shim = new ShimClient(stateDir);
        ShimAttachment? attachment = null;
        if (!detach)
        {
            attachment = await shim.AttachAsync(e.Config.AttachStdin == true, e.Config.AttachStdout != false, e.Config.AttachStderr != false, ct).ConfigureAwait(false);
        }
        _events.Publish("container", "exec_start: " + string.Join(' ', e.Config.Cmd!), c.Id, new Dictionary<string, string> { ["name"] = c.Name, ["execID"] = id });
        _ = WatchAsync(e, shim, c);
        return attachment;
    }

    private async Task WatchAsync(ExecRecord e, ShimClient shim, ContainerRecord c)
    {
        ExitStatus? status;
        try
        {
            status = await shim.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ShimException)
        {
            status = ShimClient.ReadExitFile(e.StateDir) ?? new ExitStatus(137, 9, DateTimeOffset.UtcNow, false);
        }
        e.ExitCode = status.ExitCode;
        e.Running = false;
        e.Pid = 0;
        _events.Publish("container", "exec_die", c.Id, new Dictionary<string, string> { ["name"] = c.Name, ["execID"] = e.Id, ["exitCode"] = status.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        e.Exited.TrySetResult(status.ExitCode);
        try
        {
            Directory.Delete(e.StateDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// Runs a command in the container to completion (health checks): `runtime exec` in the
    /// foreground, its output captured (first 4 KiB, as docker keeps), killed at the timeout.
    /// </summary>
    public async Task<(int ExitCode, string Output)> RunAsync(ContainerRecord c, List<string> cmd, TimeSpan timeout, CancellationToken ct)
    {
        if (!_containers.IsRunning(c))
        {
            throw EngineException.Conflict($"container {c.Id} is not running");
        }
        var process = await BuildProcessAsync(c, new ExecConfig { Cmd = cmd }, null, ct).ConfigureAwait(false);
        var file = Path.Combine(_options.ShimsDir, "health-" + c.Id[..16] + "-" + Guid.NewGuid().ToString("N")[..8] + ".json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(process, OciJson.Compact.Process), ct).ConfigureAwait(false);
        var runtime = _containers.RuntimeOf(c);
        var psi = new System.Diagnostics.ProcessStartInfo(runtime.Path) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in new[] { "--root", runtime.Root, "exec", "--process", file, c.Id })
        {
            psi.ArgumentList.Add(a);
        }
        try
        {
            using var p = System.Diagnostics.Process.Start(psi) ?? throw new EngineException(EngineErrorKind.Internal, $"cannot run {runtime.Path}");
            p.StandardInput.Close();
            var stdout = p.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = p.StandardError.ReadToEndAsync(CancellationToken.None);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout);
            try
            {
                await p.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                p.Kill(entireProcessTree: true);
                return (-1, $"Health check exceeded timeout ({timeout.TotalSeconds}s)");
            }
            var output = await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false);
            return (p.ExitCode, output.Length > 4096 ? output[..4096] : output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>POST /exec/{id}/resize.</summary>
    public async Task ResizeAsync(string id, int height, int width, CancellationToken ct)
    {
        var e = Get(id);
        if (!e.Running)
        {
            throw EngineException.Conflict($"Exec {id} is not running");
        }
        await new ShimClient(e.StateDir).ResizeAsync(width, height, ct).ConfigureAwait(false);
    }

    /// <summary>GET /exec/{id}/json.</summary>
    public ExecInspectResponse Inspect(string id)
    {
        var e = Get(id);
        return new ExecInspectResponse
        {
            ID = e.Id,
            ContainerID = e.ContainerId,
            Running = e.Running,
            ExitCode = e.ExitCode,
            Pid = e.Pid,
            OpenStdin = e.Config.AttachStdin ?? false,
            OpenStdout = e.Config.AttachStdout ?? false,
            OpenStderr = e.Config.AttachStderr ?? false,
            CanRemove = false,
            DetachKeys = e.Config.DetachKeys ?? "",
            ProcessConfig = new ProcessConfig
            {
                Tty = e.Config.Tty ?? false,
                Entrypoint = e.Config.Cmd![0],
                Arguments = [.. e.Config.Cmd.Skip(1)],
                User = e.Config.User ?? "",
                Privileged = e.Config.Privileged ?? false,
            },
        };
    }

    /// <summary>The exec's OCI process: the container's, with the exec's args, env, user and directory.</summary>
    private async Task<Process> BuildProcessAsync(ContainerRecord c, ExecConfig config, IReadOnlyList<long>? consoleSize, CancellationToken ct)
    {
        var specText = await File.ReadAllTextAsync(Path.Combine(_options.ContainersDir, c.Id, "config.json"), ct).ConfigureAwait(false);
        var spec = JsonSerializer.Deserialize(specText, OciJson.Compact.Spec) ?? throw new EngineException(EngineErrorKind.Internal, $"container {c.Id} has no config.json");
        var p = spec.Process ?? new Process();
        p.Args = [.. config.Cmd!];
        p.Terminal = config.Tty == true;
        p.ConsoleSize = null;
        if (p.Terminal && (config.ConsoleSize ?? consoleSize) is [var h, var w, ..] && h > 0 && w > 0)
        {
            p.ConsoleSize = new ConsoleSize { Height = (uint)h, Width = (uint)w };
        }
        var env = new List<string>(p.Env ?? []);
        foreach (var kv in config.Env ?? [])
        {
            var key = kv.Split('=', 2)[0];
            env.RemoveAll(x => x.Split('=', 2)[0] == key);
            env.Add(kv);
        }
        if (p.Terminal && !env.Any(e => e.StartsWith("TERM=", StringComparison.Ordinal)))
        {
            env.Add("TERM=xterm");
        }
        p.Env = env;
        if (!string.IsNullOrEmpty(config.WorkingDir))
        {
            p.Cwd = config.WorkingDir;
        }
        if (!string.IsNullOrEmpty(config.User))
        {
            var rootfs = new LayeredRootfs([Path.Combine(_options.ContainersDir, c.Id, "rootfs")]);
            var user = UserResolver.Resolve(config.User, c.HostConfig.GroupAdd, rootfs);
            p.User = new User { Uid = user.Uid, Gid = user.Gid, AdditionalGids = user.AdditionalGids.Count > 0 ? user.AdditionalGids : null };
        }
        if (config.Privileged == true)
        {
            var held = SpecBuilder.HeldCapabilities().ToList();
            p.Capabilities = new Capabilities { Bounding = [.. held], Effective = [.. held], Permitted = [.. held] };
        }
        return p;
    }
}
