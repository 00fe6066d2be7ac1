namespace Quai.Engine.Images;

/// <summary>
/// Keeps garbage collection of blobs and layer snapshots apart from the operations that make
/// images or use their layers (pull, import, load, commit, a container's create). Such an
/// operation writes blobs, or counts on blobs and snapshots that exist, before an image record
/// reaches them; a collection in that window (after `docker rmi` of another image) deleted them
/// and left a broken image. containerd guards the same window with leases.
/// Operations hold the gate shared; a collection runs alone, at once when nothing holds the gate,
/// else when the last holder leaves (so `rmi` never waits for someone else's pull). Operations
/// that arrive while a collection runs wait for it: it takes milliseconds.
/// </summary>
internal sealed class GarbageCollectionGate(Func<Task> collect, Action<Exception> failed)
{
    private readonly object _lock = new();
    private int _holders;
    private bool _pending;
    private TaskCompletionSource? _running;

    /// <summary>Holds the gate until the result is disposed.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_running is null)
                {
                    _holders++;
                    return new Holder(this);
                }
                wait = _running.Task;
            }
            await wait.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Collects now if nothing holds the gate (the returned task ends with it), else when the
    /// last holder leaves (the returned task is complete at once).
    /// </summary>
    public Task CollectAsync()
    {
        lock (_lock)
        {
            if (_holders > 0 || _running is not null)
            {
                _pending = true;
                return Task.CompletedTask;
            }
            _running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        return RunAsync();
    }

    private async Task RunAsync()
    {
        try
        {
            await collect().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            failed(e);
        }
        finally
        {
            bool again;
            TaskCompletionSource done;
            lock (_lock)
            {
                done = _running!;
                // A request that came while this ran, with nobody holding the gate: one more pass.
                again = _pending && _holders == 0;
                _pending &= !again;
                _running = again ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
            }
            done.TrySetResult();
            if (again)
            {
                _ = RunAsync();
            }
        }
    }

    private void Leave()
    {
        lock (_lock)
        {
            _holders--;
            if (_holders > 0 || !_pending || _running is not null)
            {
                return;
            }
            _pending = false;
            _running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        _ = RunAsync();
    }

    private sealed class Holder(GarbageCollectionGate gate) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                gate.Leave();
            }
        }
    }
}
