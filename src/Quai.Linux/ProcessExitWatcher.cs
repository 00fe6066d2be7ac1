using System.Runtime.InteropServices;
using Quai.Linux.Interop;

namespace Quai.Linux;

/// <summary>
/// Tells when processes that are not our children exit: one thread polls a pidfd per watched
/// process (pidfd_open(2), kernel 5.3; readable once the process has exited) plus a pipe that
/// wakes it when the set changes. One thread for any number of processes, no polling interval.
/// </summary>
public sealed class ProcessExitWatcher : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<int, Watch> _watches = [];
    private readonly List<int> _closing = [];
    private readonly int _wakeRead;
    private readonly int _wakeWrite;
    private readonly Thread _thread;
    private bool _disposed;

    /// <summary>Starts the watching thread.</summary>
    public unsafe ProcessExitWatcher()
    {
        var fds = stackalloc int[2];
        LinuxException.ThrowIfError(Libc.Pipe2(fds, Libc.O_CLOEXEC | Libc.O_NONBLOCK), "pipe2");
        _wakeRead = fds[0];
        _wakeWrite = fds[1];
        _thread = new Thread(Loop) { IsBackground = true, Name = "process exit watcher" };
        _thread.Start();
    }

    /// <summary>
    /// A task that completes when process <paramref name="pid"/> exits: at once when it is already
    /// gone (ESRCH). Cancelling <paramref name="cancellationToken"/> stops the watch (the task is
    /// cancelled). The caller must know the pid is the process it means (pids are reused).
    /// </summary>
    public Task WatchAsync(int pid, CancellationToken cancellationToken = default)
    {
        var pidfd = (int)Libc.Syscall(Libc.SYS_pidfd_open, pid, 0);
        if (pidfd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == Errnos.ESRCH
                ? Task.CompletedTask
                : Task.FromException(new LinuxException("pidfd_open", errno, $"pid {pid}"));
        }
        var watch = new Watch(pidfd);
        lock (_gate)
        {
            if (_disposed)
            {
                Libc.Close(pidfd);
                return Task.FromCanceled(new CancellationToken(true));
            }
            _watches[pidfd] = watch;
        }
        if (cancellationToken.CanBeCanceled)
        {
            watch.Registration = cancellationToken.Register(() => Stop(watch));
        }
        Wake();
        return watch.Exited.Task;
    }

    /// <summary>Stops the thread and cancels every watch.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
        }
        Wake();
        _thread.Join();
        foreach (var w in _watches.Values)
        {
            Libc.Close(w.Pidfd);
            w.Exited.TrySetCanceled();
            w.Registration.Dispose();
        }
        _watches.Clear();
        Libc.Close(_wakeRead);
        Libc.Close(_wakeWrite);
    }

    private void Stop(Watch watch)
    {
        lock (_gate)
        {
            if (!_watches.Remove(watch.Pidfd))
            {
                return; // fired or stopped already
            }
        }
        // The thread may be in poll(2) on this fd: it closes it when it rebuilds its set.
        watch.Exited.TrySetCanceled();
        lock (_gate)
        {
            _closing.Add(watch.Pidfd);
        }
        Wake();
    }

    private unsafe void Wake()
    {
        byte one = 1;
        _ = Libc.Write(_wakeWrite, &one, 1); // EAGAIN: a wake-up is pending already
    }

    private unsafe void Loop()
    {
        var buffer = stackalloc byte[64];
        while (true)
        {
            Watch[] watched;
            lock (_gate)
            {
                foreach (var fd in _closing)
                {
                    Libc.Close(fd);
                }
                _closing.Clear();
                if (_disposed)
                {
                    return;
                }
                watched = [.. _watches.Values];
            }
            var fds = new Libc.PollFd[watched.Length + 1];
            fds[0] = new Libc.PollFd { Fd = _wakeRead, Events = Libc.POLLIN };
            for (var i = 0; i < watched.Length; i++)
            {
                fds[i + 1] = new Libc.PollFd { Fd = watched[i].Pidfd, Events = Libc.POLLIN };
            }
            int ready;
            fixed (Libc.PollFd* p = fds)
            {
                ready = Libc.Poll(p, (nuint)fds.Length, -1);
            }
            if (ready < 0)
            {
                continue; // EINTR
            }
            if (fds[0].Revents != 0)
            {
                while (Libc.Read(_wakeRead, buffer, 64) > 0)
                {
                }
            }
            for (var i = 0; i < watched.Length; i++)
            {
                if (fds[i + 1].Revents == 0)
                {
                    continue;
                }
                var w = watched[i];
                lock (_gate)
                {
                    if (!_watches.Remove(w.Pidfd))
                    {
                        continue; // stopped meanwhile: Stop closes it
                    }
                }
                Libc.Close(w.Pidfd);
                w.Registration.Dispose();
                w.Exited.TrySetResult();
            }
        }
    }

    private sealed class Watch(int pidfd)
    {
        public int Pidfd { get; } = pidfd;

        public TaskCompletionSource Exited { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }
    }
}
