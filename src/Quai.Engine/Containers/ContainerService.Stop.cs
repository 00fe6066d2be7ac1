using Microsoft.Extensions.Logging;
using Quai.Linux;

namespace Quai.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>POST /containers/{id}/stop: the stop signal, then SIGKILL after the timeout (default 10 s).</summary>
    public async Task StopAsync(string nameOrId, int? timeoutSeconds, string? signal, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        if (!IsRunning(c))
        {
            if (c.State.Status == "restarting")
            {
                c.ManuallyStopped = true;
                _store.Save(c);
                return;
            }
            throw new EngineException(EngineErrorKind.NotModified, $"container {c.Id} is not running");
        }
        c.ManuallyStopped = true;
        _store.Save(c);
        await StopRunningAsync(c, timeoutSeconds, signal, ct).ConfigureAwait(false);
        Publish(c, "stop");
    }

    private async Task StopRunningAsync(ContainerRecord c, int? timeoutSeconds, string? signal, CancellationToken ct)
    {
        if (!_running.TryGetValue(c.Id, out var run))
        {
            return;
        }
        var timeout = timeoutSeconds ?? (int?)c.Config.StopTimeout ?? 10;
        var sig = ParseSignal(string.IsNullOrEmpty(signal) ? c.Config.StopSignal ?? "SIGTERM" : signal);
        var runtime = RuntimeOf(c);
        if (c.State.Status == "paused")
        {
            await runtime.ResumeAsync(c.Id, ct).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
        if (timeout != 0)
        {
            await SignalAsync(c, sig, ct).ConfigureAwait(false);
            var waited = timeout < 0 ? run.Exited.Task : await Task.WhenAny(run.Exited.Task, Task.Delay(TimeSpan.FromSeconds(timeout), ct)).ConfigureAwait(false);
            if (waited == run.Exited.Task)
            {
                return;
            }
        }
        await SignalAsync(c, 9, ct).ConfigureAwait(false);
        await run.Exited.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    private async Task SignalAsync(ContainerRecord c, int signal, CancellationToken ct)
    {
        try
        {
            await RuntimeOf(c).KillAsync(c.Id, signal, all: signal == 9, ct).ConfigureAwait(false);
        }
        catch (EngineException)
        {
            // A container that exits while being signalled takes its cgroup with it, so the runtime's
            // kill fails; that is success for a stop. Anything else is the runtime's real error.
            if (IsRunning(c) && _running.TryGetValue(c.Id, out var run)
                && await Task.WhenAny(run.Exited.Task, Task.Delay(2000, CancellationToken.None)).ConfigureAwait(false) != run.Exited.Task)
            {
                throw;
            }
        }
    }

    /// <summary>POST /containers/{id}/kill.</summary>
    public async Task KillAsync(string nameOrId, string? signal, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        if (!IsRunning(c))
        {
            throw EngineException.Conflict($"Cannot kill container: {nameOrId}: Container {c.Id} is not running");
        }
        var sig = ParseSignal(string.IsNullOrEmpty(signal) ? "SIGKILL" : signal);
        if (sig is 9 or 15 or 2)
        {
            // docker: a user's kill counts as a manual stop for the restart policy.
            c.ManuallyStopped = true;
            _store.Save(c);
        }
        await RuntimeOf(c).KillAsync(c.Id, sig, all: false, ct).ConfigureAwait(false);
        Publish(c, "kill", new Dictionary<string, string> { ["signal"] = sig.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    /// <summary>POST /containers/{id}/restart.</summary>
    public async Task RestartAsync(string nameOrId, int? timeoutSeconds, string? signal, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        // An --rm container is stopped for the restart, not removed (docker: HasBeenManuallyRestarted).
        _restarting[c.Id] = true;
        try
        {
            if (IsRunning(c))
            {
                c.ManuallyStopped = true;
                await StopRunningAsync(c, timeoutSeconds, signal, ct).ConfigureAwait(false);
            }
            using (await LockAsync(c.Id, ct).ConfigureAwait(false))
            {
                c.ManuallyStopped = false;
                if (!IsRunning(c))
                {
                    await StartLockedAsync(c, ct).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _restarting.TryRemove(c.Id, out _);
        }
        Publish(c, "restart");
    }

    /// <summary>POST /containers/{id}/pause (freezer).</summary>
    public async Task PauseAsync(string nameOrId, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        if (!IsRunning(c))
        {
            throw EngineException.Conflict($"Container {c.Id} is not running");
        }
        if (c.State.Status == "paused")
        {
            throw EngineException.Conflict($"Container {c.Id} is already paused");
        }
        await RuntimeOf(c).PauseAsync(c.Id, ct).ConfigureAwait(false);
        c.State.Status = "paused";
        _store.Save(c);
        Publish(c, "pause");
    }

    /// <summary>POST /containers/{id}/unpause.</summary>
    public async Task UnpauseAsync(string nameOrId, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        if (c.State.Status != "paused")
        {
            throw EngineException.Conflict($"Container {c.Id} is not paused");
        }
        await RuntimeOf(c).ResumeAsync(c.Id, ct).ConfigureAwait(false);
        c.State.Status = "running";
        _store.Save(c);
        Publish(c, "unpause");
    }

    /// <summary>
    /// POST /containers/{id}/wait: "not-running" (default) returns at once for a stopped container,
    /// "next-exit" waits for the next exit, "removed" for the removal.
    /// </summary>
    public async Task<int> WaitAsync(string nameOrId, string? condition, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        switch (condition ?? "not-running")
        {
            case "" or "not-running":
                if (!IsRunning(c) && c.State.Status != "restarting")
                {
                    return c.State.ExitCode;
                }
                return await NextExit(c.Id).Task.WaitAsync(ct).ConfigureAwait(false);
            case "next-exit":
                return await NextExit(c.Id).Task.WaitAsync(ct).ConfigureAwait(false);
            case "removed":
                var removed = _removed.GetOrAdd(c.Id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                await removed.Task.WaitAsync(ct).ConfigureAwait(false);
                return c.State.ExitCode;
            default:
                throw EngineException.Invalid($"invalid condition: \"{condition}\"");
        }
    }

    private TaskCompletionSource<int> NextExit(string id) =>
        _nextExit.GetOrAdd(id, _ => new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>DELETE /containers/{id}: refuses a running container unless forced; -v removes its anonymous volumes.</summary>
    public async Task RemoveAsync(string nameOrId, bool force, bool removeVolumes, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        if (IsRunning(c) || c.State.Status == "restarting")
        {
            if (!force)
            {
                var what = c.State.Status == "paused" ? "paused" : "running";
                throw EngineException.Conflict($"cannot remove container \"/{c.Name}\": container is {what}: stop the container before removing or force remove");
            }
            c.ManuallyStopped = true;
            await StopRunningAsync(c, 0, "SIGKILL", ct).ConfigureAwait(false);
        }
        using (await LockAsync(c.Id, ct).ConfigureAwait(false))
        {
            if (_store.Find(c.Id) is null)
            {
                return;
            }
            c.State.Status = "removing";
            var timer = new PhaseTimer();
            var runtime = RuntimeOf(c);
            var shimFinishing = _finishing.ContainsKey(c.Id);
            if (!shimFinishing && runtime.HasState(c.Id))
            {
                await runtime.DeleteAsync(c.Id, CancellationToken.None).ConfigureAwait(false);
            }
            var rootfs = Path.Combine(_store.Dir(c.Id), "rootfs");
            // The shim unmounts the rootfs before it tells the exit; a crash may leave it mounted.
            while (MountInfo.ReadSelf().Any(m => m.MountPoint == rootfs) && Mounts.TryDetach(rootfs) == 0)
            {
            }
            timer.Mark("runtime+unmount");
            // The snapshot and the container's own files go side by side (and beside a finishing
            // shim's `runtime delete`): none needs the others.
            var snapshot = Task.Run(() => _snapshots.RemoveAsync(c.SnapshotKey, CancellationToken.None));
            _store.Remove(c);
            Directory.Delete(_store.Dir(c.Id), recursive: true);
            await snapshot.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            timer.Mark("snapshot+files");
            if (shimFinishing)
            {
                await AwaitShimFinishedAsync(c.Id).ConfigureAwait(false);
                if (runtime.HasState(c.Id))
                {
                    // The shim died or its delete failed (its log says why): delete here.
                    await runtime.DeleteAsync(c.Id, CancellationToken.None).ConfigureAwait(false);
                }
                timer.Mark("shim");
            }
            CleanShimDir(ShimDir(c.Id));
            if (removeVolumes)
            {
                foreach (var m in c.Mounts.Where(m => m.Type == "volume" && m.Name is not null))
                {
                    if (_volumes.Find(m.Name!) is { Anonymous: true })
                    {
                        try
                        {
                            _volumes.Remove(m.Name!, force: false);
                        }
                        catch (EngineException)
                        {
                            // Used by another container: docker keeps it too.
                        }
                    }
                }
            }
            _logger.LogDebug("remove {Container}: {Phases}", c.ShortId, timer);
            Publish(c, "destroy");
            Removed?.Invoke(c.Id);
            if (_removed.TryRemove(c.Id, out var removed))
            {
                removed.TrySetResult();
            }
            if (_nextExit.TryRemove(c.Id, out var next))
            {
                next.TrySetException(EngineException.NoSuchContainer(c.Id));
            }
        }
        _locks.TryRemove(c.Id, out _);
    }

    /// <summary>POST /containers/{id}/rename.</summary>
    public void Rename(string nameOrId, string newName)
    {
        if (string.IsNullOrEmpty(newName) || !ValidName().IsMatch(newName))
        {
            throw EngineException.Invalid($"Invalid container name ({newName}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        var c = _store.Get(nameOrId);
        var old = c.Name;
        _store.Rename(c, newName.TrimStart('/'));
        Publish(c, "rename", new Dictionary<string, string> { ["oldName"] = "/" + old });
    }

    /// <summary>Signal names and numbers as docker accepts them ("SIGKILL", "KILL", "9").</summary>
    public static int ParseSignal(string signal)
    {
        if (int.TryParse(signal, out var n))
        {
            return n is > 0 and < 65 ? n : throw EngineException.Invalid($"Invalid signal: {signal}");
        }
        var name = signal.ToUpperInvariant();
        if (!name.StartsWith("SIG", StringComparison.Ordinal))
        {
            name = "SIG" + name;
        }
        return name switch
        {
            "SIGHUP" => 1, "SIGINT" => 2, "SIGQUIT" => 3, "SIGILL" => 4, "SIGTRAP" => 5, "SIGABRT" or "SIGIOT" => 6,
            "SIGBUS" => 7, "SIGFPE" => 8, "SIGKILL" => 9, "SIGUSR1" => 10, "SIGSEGV" => 11, "SIGUSR2" => 12,
            "SIGPIPE" => 13, "SIGALRM" => 14, "SIGTERM" => 15, "SIGSTKFLT" => 16, "SIGCHLD" => 17, "SIGCONT" => 18,
            "SIGSTOP" => 19, "SIGTSTP" => 20, "SIGTTIN" => 21, "SIGTTOU" => 22, "SIGURG" => 23, "SIGXCPU" => 24,
            "SIGXFSZ" => 25, "SIGVTALRM" => 26, "SIGPROF" => 27, "SIGWINCH" => 28, "SIGIO" or "SIGPOLL" => 29,
            "SIGPWR" => 30, "SIGSYS" => 31,
            _ => throw EngineException.Invalid($"Invalid signal: {signal}"),
        };
    }
}
