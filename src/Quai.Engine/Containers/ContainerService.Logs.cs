using Quai.Engine.Logs;
using Quai.Shim.Client;

namespace Quai.Engine.Containers;

public sealed partial class ContainerService
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, List<PendingAttach>> _pendingAttach = new(StringComparer.Ordinal);

    private sealed record PendingAttach(bool Stdin, bool Stdout, bool Stderr, TaskCompletionSource<ShimAttachment> Result);

    /// <summary>GET /containers/{id}/logs: the entries, and whether the container has a TTY (raw output).</summary>
    public (IAsyncEnumerable<LogEntry> Entries, bool Tty) Logs(string nameOrId, JsonFileLogReader.Options options, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        if (c.HostConfig.LogConfig?.Type == "none")
        {
            throw EngineException.Invalid("configured logging driver does not support reading");
        }
        var stopped = _running.TryGetValue(c.Id, out var run) ? (Task)run.Exited.Task : Task.CompletedTask;
        return (JsonFileLogReader.ReadAsync(c.LogPath, options, stopped, ct), c.Config.Tty == true);
    }

    /// <summary>
    /// POST /containers/{id}/attach: a stream of the container's output (docker's multiplexed
    /// frames) and its stdin. A created container's attach waits for its start and is connected
    /// before the process runs, so `docker run` sees all output.
    /// </summary>
    public async Task<(ShimAttachment Attachment, bool Tty)> AttachAsync(string nameOrId, bool stdin, bool stdout, bool stderr, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        var tty = c.Config.Tty == true;
        stdin &= c.Config.OpenStdin == true;
        Publish(c, "attach");
        if (_running.TryGetValue(c.Id, out var run) && IsRunning(c))
        {
            return (await run.Shim.AttachAsync(stdin, stdout, stderr, ct).ConfigureAwait(false), tty);
        }
        if (c.State.Status is "created" or "exited" or "restarting")
        {
            if (c.State.Status == "exited" && c.HostConfig.RestartPolicy?.Name is not ("always" or "unless-stopped" or "on-failure"))
            {
                // docker attaches and waits for a start; the CLI refuses stopped containers itself.
            }
            var pending = new PendingAttach(stdin, stdout, stderr, new TaskCompletionSource<ShimAttachment>(TaskCreationOptions.RunContinuationsAsynchronously));
            var list = _pendingAttach.GetOrAdd(c.Id, _ => []);
            lock (list)
            {
                list.Add(pending);
            }
            using var reg = ct.Register(() => pending.Result.TrySetCanceled(ct));
            try
            {
                return (await pending.Result.Task.ConfigureAwait(false), tty);
            }
            finally
            {
                lock (list)
                {
                    list.Remove(pending);
                }
            }
        }
        throw EngineException.Conflict($"You cannot attach to a stopped container, start it first");
    }

    /// <summary>Connects the attaches waiting for this start, before the process runs.</summary>
    private async Task ConnectPendingAttachesAsync(ContainerRecord c, ShimClient shim, CancellationToken ct)
    {
        if (!_pendingAttach.TryGetValue(c.Id, out var list))
        {
            return;
        }
        PendingAttach[] waiting;
        lock (list)
        {
            waiting = [.. list];
            list.Clear();
        }
        foreach (var p in waiting)
        {
            try
            {
                p.Result.TrySetResult(await shim.AttachAsync(p.Stdin, p.Stdout, p.Stderr, ct).ConfigureAwait(false));
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ShimException)
            {
                p.Result.TrySetException(e);
            }
        }
    }

    /// <summary>POST /containers/{id}/resize.</summary>
    public async Task ResizeAsync(string nameOrId, int height, int width, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        if (!_running.TryGetValue(c.Id, out var run))
        {
            throw EngineException.Conflict($"Container {c.Id} is not running");
        }
        if (c.Config.Tty != true)
        {
            return;
        }
        await run.Shim.ResizeAsync(width, height, ct).ConfigureAwait(false);
    }
}
