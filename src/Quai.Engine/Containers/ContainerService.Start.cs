using Microsoft.Extensions.Logging;
using Quai.Engine.Store;
using Quai.Oci;
using Quai.Shim.Client;

namespace Quai.Engine.Containers;

public sealed partial class ContainerService
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource<int>> _nextExit = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _removed = new(StringComparer.Ordinal);

    /// <summary>POST /containers/{id}/start. 304 (NotModified) when it already runs.</summary>
    public async Task StartAsync(string nameOrId, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        EngineException failure;
        using (await LockAsync(c.Id, ct).ConfigureAwait(false))
        {
            if (c.State.Status == "removing")
            {
                throw EngineException.Conflict($"container is marked for removal and cannot be started");
            }
            if (IsRunning(c))
            {
                if (c.State.Status == "paused")
                {
                    throw EngineException.Conflict($"cannot start a paused container, try unpause instead");
                }
                throw new EngineException(EngineErrorKind.NotModified, $"container {c.Id} is already running");
            }
            c.ManuallyStopped = false;
            try
            {
                await StartLockedAsync(c, ct).ConfigureAwait(false);
                return;
            }
            catch (EngineException e) when (c.HostConfig.AutoRemove == true)
            {
                failure = e;
                // docker removes an --rm container whose start failed; a client waiting for
                // condition=removed gets its answer. The removal runs after the lock is released.
            }
        }
        try
        {
            await RemoveAsync(c.Id, force: true, removeVolumes: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (EngineException e)
        {
            _logger.LogWarning("auto-remove of {Container} after a failed start failed: {Error}", c.ShortId, e.Message);
        }
        throw failure;
    }

    private async Task StartLockedAsync(ContainerRecord c, CancellationToken ct)
    {
        var dir = _store.Dir(c.Id);
        var shimDir = ShimDir(c.Id);
        var runtime = RuntimeOf(c);
        var networkAttached = false;
        var timer = new PhaseTimer();
        try
        {
            // The previous run's shim may still be deleting the runtime's state of this id.
            await AwaitShimFinishedAsync(c.Id).ConfigureAwait(false);
            CleanShimDir(shimDir);
            Directory.CreateDirectory(shimDir);
            Directory.CreateDirectory(Path.Combine(dir, "rootfs"));

            var upper = await _snapshots.FsPathAsync(c.SnapshotKey, ct).ConfigureAwait(false);
            var lowers = await LowerLayersAsync(c, ct).ConfigureAwait(false);
            var layers = new LayeredRootfs([upper, .. lowers]);
            var user = UserResolver.Resolve(c.Config.User, c.HostConfig.GroupAdd, layers);
            CreateWorkingDir(c, upper, [upper, .. lowers], user);
            var initPath = c.HostConfig.Init == true ? FindInit() : null;
            var mounts = await RootfsMountsAsync(c, ct).ConfigureAwait(false);
            if (c.HostConfig.AutoRemove == true && OverlayVolatile.Supported)
            {
                mounts = OverlayVolatile.Apply(mounts);
            }
            var mountsFile = Path.Combine(shimDir, "rootfs-mounts.json");
            JsonFile.Write(mountsFile, [.. mounts], EngineJsonContext.Default.ListMountSpec, durable: false);
            timer.Mark("prepare");

            var network = PrepareNetwork(c);
            networkAttached = true;
            // The CNI ADD runs beside the runtime's create; first only when a net.* sysctl may name
            // an interface, which must exist when the runtime writes it (docker attaches the
            // network before runc applies sysctls).
            var connecting = Task.CompletedTask;
            if (c.HostConfig.Sysctls?.Keys.Any(k => k.StartsWith("net.", StringComparison.Ordinal)) == true)
            {
                await network.ConnectAsync(ct).ConfigureAwait(false);
            }
            else
            {
                // On the pool: the plugins' first spawn must not hold up the shim's.
                connecting = Task.Run(() => network.ConnectAsync(ct), ct);
            }
            timer.Mark("network");
            var spec = SpecBuilder.Build(c, new SpecBuilder.Inputs(
                user,
                network.NetnsPath,
                network.Host,
                _options.CgroupParent.TrimEnd('/') + "/" + c.Id,
                initPath));
            await File.WriteAllTextAsync(Path.Combine(dir, "config.json"), System.Text.Json.JsonSerializer.Serialize(spec, OciJson.Compact.Spec), ct).ConfigureAwait(false);
            timer.Mark("spec");

            var logConfig = c.HostConfig.LogConfig?.Config ?? [];
            ShimHandle handle;
            try
            {
                handle = await ShimLauncher.StartAsync(new ShimOptions
                {
                    ShimPath = _options.ShimPath,
                    Id = c.Id,
                    Bundle = dir,
                    StateDir = shimDir,
                    RuntimePath = runtime.Path,
                    RuntimeRoot = runtime.Root,
                    Terminal = c.Config.Tty == true,
                    Stdin = c.Config.OpenStdin == true,
                    StdinOnce = c.Config.StdinOnce == true,
                    LogPath = c.LogPath.Length == 0 ? null : c.LogPath,
                    LogMaxSize = logConfig.TryGetValue("max-size", out var ms) ? ParseSize(ms) : 0,
                    LogMaxFile = logConfig.TryGetValue("max-file", out var mf) && int.TryParse(mf, out var n) ? n : 1,
                    RootfsMountsFile = mountsFile,
                }, ct).ConfigureAwait(false);
            }
            catch
            {
                // The network is undone by the handlers below, once its ADD is over. When the ADD
                // failed too, its error is the cause (its clean-up removes the netns the runtime
                // was joining: a taken host port then reads as a port error, not a missing netns).
                await connecting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (connecting.Exception?.InnerException is { } networkError)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(networkError);
                }
                throw;
            }
            timer.Mark("shim+create");

            var run = new RunState { Shim = new ShimClient(shimDir) };
            _running[c.Id] = run;
            try
            {
                // The exit's waiter is registered with the shim before the process starts, so that
                // it is told before the shim's `runtime delete` however soon the process exits.
                var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                run.Exit = run.Shim.WaitEarlyAsync(registered, _shutdown.Token);
                await connecting.ConfigureAwait(false);
                timer.Mark("network-wait");
                await ConnectPendingAttachesAsync(c, run.Shim, ct).ConfigureAwait(false);
                await Task.WhenAny(registered.Task, Task.Delay(TimeSpan.FromSeconds(5), ct)).ConfigureAwait(false);
                timer.Mark("attach");
                await runtime.StartAsync(c.Id, ct).ConfigureAwait(false);
                timer.Mark("start");
            }
            catch
            {
                _running.TryRemove(c.Id, out _);
                // No MonitorAsync will take the early wait: observe it (it ends with the shim).
                _ = run.Exit?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                await runtime.KillAsync(c.Id, 9, all: true, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await run.Shim.WaitAsync(timeout.Token).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
                throw;
            }

            lock (c)
            {
                c.State.Status = "running";
                c.State.Pid = handle.Pid;
                c.State.Error = "";
                c.State.OomKilled = false;
                c.State.StartedAt = DateTimeOffset.UtcNow;
                c.State.ExitCode = 0;
                c.StartedBefore = true;
                if (c.Config.Healthcheck is { Test: not ["NONE"] and { Count: > 0 } })
                {
                    c.State.Health = new Quai.Api.Models.Health { Status = "starting", FailingStreak = 0, Log = [] };
                }
            }
            _store.Save(c, durable: false);
            Publish(c, "start");
            _ = MonitorAsync(c, run);
            if (network.Connect is not null)
            {
                ReleaseNetworkAtProcessExit(c, run, handle.Pid);
            }
            StartHealthCheck(c);
            timer.Mark("record");
            _logger.LogDebug("start {Container}: {Phases}", c.ShortId, timer);
        }
        catch (ShimException e)
        {
            await UndoNetworkAsync(c, networkAttached).ConfigureAwait(false);
            SetStartError(c, e.Message);
            throw StartFailure(e.Message);
        }
        catch (EngineException e) when (e.Kind != EngineErrorKind.NotModified)
        {
            await UndoNetworkAsync(c, networkAttached).ConfigureAwait(false);
            SetStartError(c, e.Message);
            if (e.Message.Contains("Permission denied", StringComparison.Ordinal))
            {
                // The docker CLI maps "permission denied" (EACCES's Go text, lower case) to exit code 126.
                throw new EngineException(EngineErrorKind.InvalidArgument, e.Message + ": permission denied", e);
            }
            throw;
        }
    }

    private async Task UndoNetworkAsync(ContainerRecord c, bool attached)
    {
        if (attached && !_running.ContainsKey(c.Id))
        {
            await ReleaseNetworkAsync(c).ConfigureAwait(false);
        }
    }

    private void SetStartError(ContainerRecord c, string message)
    {
        lock (c)
        {
            c.State.Error = message;
            c.State.Status = c.StartedBefore ? "exited" : "created";
            c.State.ExitCode = message.Contains("not found", StringComparison.Ordinal) || message.Contains("no such file", StringComparison.OrdinalIgnoreCase) ? 127
                : message.Contains("permission denied", StringComparison.OrdinalIgnoreCase) ? 126 : 128;
            c.State.Pid = 0;
        }
        _store.Save(c, durable: false);
    }

    /// <summary>docker's wording ("failed to create task for container: … OCI runtime create failed: …"), which
    /// the docker CLI reads to choose exit code 126 or 127.</summary>
    private static EngineException StartFailure(string message)
    {
        var kind = message.Contains("executable file not found", StringComparison.Ordinal) || message.Contains("no such file or directory", StringComparison.OrdinalIgnoreCase) || message.Contains("permission denied", StringComparison.OrdinalIgnoreCase)
            ? EngineErrorKind.InvalidArgument
            : EngineErrorKind.Internal;
        return new EngineException(kind, "failed to create task for container: OCI runtime create failed: " + message + ": unknown");
    }

    /// <summary>
    /// docker creates a missing WorkingDir (owned by the container's user) before the process starts.
    /// Made in the writable layer when no layer has anything on that path (a path through an
    /// image's symlink is left to the runtime, which resolves it inside the rootfs).
    /// </summary>
    private static void CreateWorkingDir(ContainerRecord c, string upper, IReadOnlyList<string> layers, UserResolver.Resolved user)
    {
        var wd = c.Config.WorkingDir;
        if (string.IsNullOrEmpty(wd) || wd == "/" || !wd.StartsWith('/'))
        {
            return;
        }
        var parts = wd.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Contains("..") || layers.Any(l => Path.Exists(Path.Combine(l, wd.TrimStart('/')))))
        {
            return;
        }
        var existing = "";
        foreach (var p in parts)
        {
            var next = existing + "/" + p;
            var found = layers.Select(l => Path.Combine(l, next.TrimStart('/'))).FirstOrDefault(Path.Exists);
            if (found is null)
            {
                break;
            }
            if (!Directory.Exists(found) || new DirectoryInfo(found).LinkTarget is not null)
            {
                return;
            }
            existing = next;
        }
        var target = Path.Combine(upper, wd.TrimStart('/'));
        Directory.CreateDirectory(target);
        var dir = target;
        while (dir.Length > upper.Length && !layers.Skip(1).Any(l => Path.Exists(Path.Combine(l, Path.GetRelativePath(upper, dir)))))
        {
            Quai.Linux.DeviceNodes.Lchown(dir, user.Uid, user.Gid);
            dir = Path.GetDirectoryName(dir)!;
        }
    }

    private static string? FindInit()
    {
        foreach (var p in new[] { "/usr/local/lib/quai/docker-init", "/usr/bin/tini-static", "/usr/bin/docker-init" })
        {
            if (File.Exists(p))
            {
                return p;
            }
        }
        throw EngineException.Invalid("--init needs a static init binary: install Debian's tini package (/usr/bin/tini-static)");
    }

    private static long ParseSize(string text)
    {
        text = text.Trim().ToLowerInvariant();
        long mul = 1;
        if (text.EndsWith('b'))
        {
            text = text[..^1];
        }
        if (text.EndsWith('k'))
        {
            mul = 1024;
        }
        else if (text.EndsWith('m'))
        {
            mul = 1024 * 1024;
        }
        else if (text.EndsWith('g'))
        {
            mul = 1024L * 1024 * 1024;
        }
        text = text.TrimEnd('k', 'm', 'g');
        return long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0
            ? n * mul
            : throw EngineException.Invalid($"invalid log-opt max-size: {text}");
    }

    private static void CleanShimDir(string shimDir)
    {
        if (Directory.Exists(shimDir))
        {
            Directory.Delete(shimDir, recursive: true);
        }
    }

    /// <summary>Waits for the run's exit through the shim, records it and applies the restart policy.</summary>
    private async Task MonitorAsync(ContainerRecord c, RunState run)
    {
        Quai.Shim.Client.ExitStatus? status = null;
        while (status is null)
        {
            try
            {
                // Answered before the shim's `runtime delete` when it can be: the exit's handling
                // (an --rm removal above all) runs beside it, and whatever needs the runtime's
                // state gone waits for Finished (AwaitShimFinishedAsync).
                var exit = run.Exit ?? run.Shim.WaitEarlyAsync(null, _shutdown.Token);
                run.Exit = null;
                (status, var finished) = await exit.ConfigureAwait(false);
                if (!finished.IsCompleted)
                {
                    _finishing[c.Id] = finished;
                    _ = finished.ContinueWith(_ => _finishing.TryRemove(KeyValuePair.Create(c.Id, finished)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
            }
            catch (OperationCanceledException)
            {
                return; // The daemon stops; the container keeps running under its shim.
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ShimException)
            {
                // The shim is gone without answering: its exit file tells, or the container is lost.
                status = ShimClient.ReadExitFile(ShimDir(c.Id));
                if (status is null)
                {
                    await Task.Delay(200).ConfigureAwait(false);
                    if (!Directory.Exists(ShimDir(c.Id)) || !ShimAlive(c.Id))
                    {
                        status = ShimClient.ReadExitFile(ShimDir(c.Id)) ?? new Quai.Shim.Client.ExitStatus(255, null, DateTimeOffset.UtcNow, false);
                    }
                }
            }
        }
        await OnExitedAsync(c, run, status).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts releasing the container's network the moment its init process exits, so that the
    /// CNI DEL (the veth's removal is the slow part) runs beside the shim's runtime delete and
    /// rootfs unmount instead of after them; <see cref="OnExitedAsync"/> waits for it. Nothing in
    /// the container can use the network once the init is gone (its pid namespace dies with it).
    /// The pid is the init's as the shim reported it at start: if it were gone and reused before
    /// the watch began, the watch would only fire late or never, and the exit path releases the
    /// network itself.
    /// </summary>
    private void ReleaseNetworkAtProcessExit(ContainerRecord c, RunState run, int pid)
    {
        Task exited;
        try
        {
            exited = _exitWatcher.Value.WatchAsync(pid, run.ExitHandled.Token);
        }
        catch (ObjectDisposedException)
        {
            return; // the exit is being handled already
        }
        _ = exited.ContinueWith(t =>
        {
            if (t.Status != TaskStatus.RanToCompletion)
            {
                return; // cancelled (the exit path ran first) or no pidfd: the exit path releases
            }
            lock (run)
            {
                if (!run.ExitHandled.IsCancellationRequested)
                {
                    run.NetworkRelease = Task.Run(() => ReleaseNetworkAsync(c));
                }
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private bool ShimAlive(string id)
    {
        var pidFile = Path.Combine(ShimDir(id), "shim.pid");
        return File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) && Directory.Exists("/proc/" + pid);
    }

    private async Task OnExitedAsync(ContainerRecord c, RunState run, Quai.Shim.Client.ExitStatus status)
    {
        var timer = new PhaseTimer();
        StopHealthCheck(c.Id);
        lock (c)
        {
            c.State.Status = "exited";
            c.State.Pid = 0;
            c.State.ExitCode = status.ExitCode;
            c.State.OomKilled = status.OomKilled;
            c.State.FinishedAt = status.FinishedAt;
            if (c.State.Health is not null)
            {
                c.State.Health.Status = "unhealthy";
            }
        }
        // The state says exited (with its code) before anyone can see the container as not running.
        _running.TryRemove(c.Id, out _);
        Task? early;
        lock (run)
        {
            early = run.NetworkRelease;
            run.ExitHandled.Cancel();
        }
        await (early ?? ReleaseNetworkAsync(c)).ConfigureAwait(false);
        timer.Mark(early is null ? "network" : "network (early)");
        var autoRemove = c.HostConfig.AutoRemove == true && !ShouldRestart(c, status.ExitCode) && !_restarting.ContainsKey(c.Id);
        if (!autoRemove && _store.Find(c.Id) is not null)
        {
            // An --rm container's record is removed next; saved only if that fails (below).
            _store.Save(c, durable: false);
        }
        timer.Mark("record");
        Publish(c, "die", new Dictionary<string, string> { ["exitCode"] = status.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        run.Exited.TrySetResult(status.ExitCode);
        if (_nextExit.TryRemove(c.Id, out var next))
        {
            next.TrySetResult(status.ExitCode);
        }

        if (autoRemove)
        {
            try
            {
                await RemoveAsync(c.Id, force: true, removeVolumes: true, CancellationToken.None).ConfigureAwait(false);
                timer.Mark("remove");
                _logger.LogDebug("exit of {Container} (--rm): {Phases}", c.ShortId, timer);
            }
            catch (Exception e) when (e is EngineException or IOException or UnauthorizedAccessException)
            {
                _logger.LogWarning("auto-remove of {Container} failed: {Error}", c.ShortId, e.Message);
                if (_store.Find(c.Id) is not null)
                {
                    _store.Save(c, durable: false);
                }
                if (_removed.TryRemove(c.Id, out var removed))
                {
                    removed.TrySetResult();
                }
            }
            return;
        }
        if (ShouldRestart(c, status.ExitCode))
        {
            _ = RestartWithBackoffAsync(c);
        }
    }

    /// <summary>docker's restart policies (moby restartmanager).</summary>
    private static bool ShouldRestart(ContainerRecord c, int exitCode)
    {
        if (c.ManuallyStopped)
        {
            return false;
        }
        return c.HostConfig.RestartPolicy?.Name switch
        {
            "always" or "unless-stopped" => true,
            "on-failure" => exitCode != 0 && (c.HostConfig.RestartPolicy.MaximumRetryCount is not > 0 || c.RestartCount < c.HostConfig.RestartPolicy.MaximumRetryCount),
            _ => false,
        };
    }

    /// <summary>moby restartmanager: 100 ms doubling up to 1 minute, reset after a run of 10 s or more.</summary>
    private async Task RestartWithBackoffAsync(ContainerRecord c)
    {
        var ranFor = (c.State.FinishedAt ?? DateTimeOffset.UtcNow) - (c.State.StartedAt ?? DateTimeOffset.UtcNow);
        var attempt = ranFor >= TimeSpan.FromSeconds(10) ? 0 : Math.Min(c.RestartCount, 10);
        var delay = TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, attempt), 60_000));
        lock (c)
        {
            c.State.Status = "restarting";
        }
        _store.Save(c);
        try
        {
            await Task.Delay(delay, _shutdown.Token).ConfigureAwait(false);
            using (await LockAsync(c.Id, _shutdown.Token).ConfigureAwait(false))
            {
                if (_store.Find(c.Id) is null || c.ManuallyStopped || IsRunning(c))
                {
                    if (c.State.Status == "restarting")
                    {
                        c.State.Status = "exited";
                        _store.Save(c);
                    }
                    return;
                }
                c.RestartCount++;
                await StartLockedAsync(c, _shutdown.Token).ConfigureAwait(false);
                Publish(c, "restart");
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (EngineException e)
        {
            _logger.LogWarning("restart of {Container} failed: {Error}", c.ShortId, e.Message);
            lock (c)
            {
                c.State.Status = "exited";
            }
            _store.Save(c);
        }
    }
}
