using System.Globalization;
using System.Text;
using System.Text.Json;
using Quai.Linux;
using Quai.Linux.Interop;

namespace Quai.Shim.Server;

/// <summary>
/// The shim process: starts the container (runtime create) or exec process (runtime exec
/// --detach), reports `ok PID` or `error MESSAGE` on fd 3, then serves shim.sock, logs output and
/// records the exit, all from one thread in a poll(2) loop over raw descriptors, so that each
/// shim stays a few MiB (containerd-shim-runc-v2 and conmon do the same job).
/// </summary>
internal sealed partial class ShimServer : IDisposable
{
    private const int ReadChunk = 32 * 1024;
    private const int MaxClientQueue = 1024 * 1024;
    private const int MaxEarly = 1024 * 1024;
    private const int MaxStdinPending = 256 * 1024;
    private const int DrainMs = 2000;
    private const int FinalFlushMs = 5000;
    private const int ExecLingerMs = 10_000;
    private const int RuntimeTimeoutMs = 120_000;

    private readonly ShimConfig _config;
    private readonly ShimDiagnostics _log;
    private readonly byte[] _buffer = new byte[8 + ReadChunk];
    private readonly List<ShimConnection> _connections = [];
    private readonly ByteQueue _stdinPending = new();
    private readonly ByteQueue _early = new();
    private FileDescriptorHandle? _listener;
    private FileDescriptorHandle? _stdin;
    private FileDescriptorHandle? _stdout;
    private FileDescriptorHandle? _stderr;
    private FileDescriptorHandle? _pty;
    private FileDescriptorHandle? _pidfd;
    private JsonFileLogger? _logger;
    private OomProbe? _oom;
    private bool _stdinOpen;
    private bool _closeStdinWhenFlushed;
    private bool _everAttached;
    private bool _earlyFullLogged;
    private bool _outputDone;
    private bool _runtimeSpawned;
    private int _pid;
    private int _mounted;
    private WaitStatus? _status;
    private string? _finishedAt;
    private ExitRecord? _exit;

    public ShimServer(ShimConfig config)
    {
        _config = config;
        _log = new ShimDiagnostics(Path.Combine(config.StateDir, "shim.log"));
    }

    private string SocketPath => Path.Combine(_config.StateDir, "shim.sock");

    /// <summary>Runs the shim to the end; <paramref name="reportFd"/> gets the one `ok`/`error` line. Returns the process exit code.</summary>
    public int Run(int reportFd)
    {
        try
        {
            Setup();
            StartProcess();
        }
        catch (Exception e) when (e is IOException or ShimStartException or ArgumentException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException)
        {
            var message = e is ShimStartException ? e.Message : $"quai-shim: {e.Message}";
            _log.Write($"start failed: {message}");
            CleanupFailedStart();
            Report(reportFd, $"error {message}");
            return 1;
        }
        _log.Write($"{(_config.IsExec ? $"exec {_config.ExecId}" : "container")} {_config.Id} created, pid {_pid}");
        Report(reportFd, $"ok {_pid.ToString(CultureInfo.InvariantCulture)}");
        try
        {
            Loop();
        }
        catch (Exception e)
        {
            // Nobody sees the shim's stderr: leave the reason where quaid and people look.
            _log.Write($"shim loop failed: {e}");
            throw;
        }
        _log.Write($"exiting: exit code {_exit?.ExitCode}");
        return 0;
    }

    /// <summary>Writes the single report line to fd 3 (if open) and closes it.</summary>
    public static unsafe void Report(int fd, string line)
    {
        const int F_GETFD = 1;
        if (Libc.Fcntl(fd, F_GETFD, 0) == -1)
        {
            return;
        }
        try
        {
            FdIo.WriteAll(fd, Encoding.UTF8.GetBytes(line + "\n"), "report fd");
        }
        catch (IOException)
        {
            // quaid went away: the state files still tell.
        }
        Libc.Close(fd);
    }

    private void Setup()
    {
        File.WriteAllText(Path.Combine(_config.StateDir, "shim.pid"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        // Own session (no-op when quaid already used POSIX_SPAWN_SETSID: EPERM for a session leader).
        Libc.Setsid();
        // The container's init is reparented to the shim when the runtime exits (prctl(2)).
        LinuxException.ThrowIfError(Libc.Prctl(Libc.PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL), "prctl(PR_SET_CHILD_SUBREAPER)");
        // A container that closed its stdin must give EPIPE, not kill the shim.
        Libc.Signal(13, Libc.SIG_IGN);
        _listener = Fds.Listen(SocketPath);
    }

    private void CleanupFailedStart()
    {
        if (_runtimeSpawned && !_config.IsExec)
        {
            var (status, err) = RunQuiet(RuntimeCommand.Delete(_config), 30_000);
            if (status.ShellExitCode != 0)
            {
                _log.Write($"delete after failed create: {err.Trim()}");
            }
        }
        UnmountRootfs();
        CloseStdio();
        _logger?.Dispose();
        _logger = null;
        _listener?.Dispose();
        _listener = null;
        TryDelete(SocketPath);
        TryDelete(Path.Combine(_config.StateDir, "shim.pid"));
        TryDelete(_config.PidFile);
    }

    private void UnmountRootfs()
    {
        if (_mounted == 0)
        {
            return;
        }
        var error = RootfsMounter.UnmountAll(Path.Combine(_config.Bundle, "rootfs"), _mounted);
        _mounted = 0;
        if (error is not null)
        {
            _log.Write($"unmount rootfs: {error}");
        }
    }

    private void CloseStdio()
    {
        _stdin?.Dispose();
        _stdin = null;
        _stdout?.Dispose();
        _stdout = null;
        _stderr?.Dispose();
        _stderr = null;
        _pty?.Dispose();
        _pty = null;
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException e)
        {
            _log.Write($"remove {path}: {e.Message}");
        }
    }

    /// <summary>The shim's environment, passed on to the runtime.</summary>
    private static List<string> Environ() => Spawn.CurrentEnvironment();

    /// <summary>Runs the runtime with stdio on /dev/null and stderr captured, killing it after <paramref name="timeoutMs"/>.</summary>
    private unsafe (WaitStatus Status, string Stderr) RunQuiet(List<string> argv, int timeoutMs)
    {
        using var devnull = FdIo.Open("/dev/null", Libc.O_RDWR);
        var (read, write) = Fds.Pipe();
        using var errRead = read;
        int pid;
        using (write)
        {
            pid = Spawn.Start(argv[0], argv, Environ(), [(devnull.Fd, 0), (devnull.Fd, 1), (write.Fd, 2)]);
        }
        Fds.SetNonBlocking(errRead);
        var err = new ByteQueue();
        using var pidfd = Fds.PidfdOpen(pid);
        var deadline = Environment.TickCount64 + timeoutMs;
        var pfds = stackalloc Libc.PollFd[2];
        var errOpen = true;
        while (true)
        {
            pfds[0] = new Libc.PollFd { Fd = pidfd.Fd, Events = Libc.POLLIN };
            pfds[1] = new Libc.PollFd { Fd = errOpen ? errRead.Fd : -1, Events = Libc.POLLIN };
            var left = (int)Math.Max(0, deadline - Environment.TickCount64);
            Libc.Poll(pfds, 2, left);
            if (errOpen)
            {
                errOpen = DrainInto(errRead, err);
            }
            if (pfds[0].Revents != 0)
            {
                break;
            }
            if (Environment.TickCount64 >= deadline)
            {
                _log.Write($"{string.Join(' ', argv)}: no answer within {timeoutMs / 1000} s, killing it");
                Libc.Kill(pid, Signals.SIGKILL);
                break;
            }
        }
        var status = Spawn.Wait(pid);
        DrainInto(errRead, err);
        return (status, Encoding.UTF8.GetString(err.Pending));
    }

    /// <summary>Reads what <paramref name="fd"/> has now into <paramref name="into"/> (at most 1 MiB kept); false once it is closed.</summary>
    private bool DrainInto(FileDescriptorHandle fd, ByteQueue into)
    {
        while (true)
        {
            var n = Fds.Read(fd.Fd, _buffer);
            if (n == Fds.WouldBlock)
            {
                return true;
            }
            if (n == Fds.Closed)
            {
                return false;
            }
            if (into.Count < MaxEarly)
            {
                into.Append(_buffer.AsSpan(0, n));
            }
        }
    }

    public void Dispose()
    {
        CloseStdio();
        _pidfd?.Dispose();
        _logger?.Dispose();
        _listener?.Dispose();
        foreach (var c in _connections)
        {
            c.Dispose();
        }
        _log.Dispose();
    }
}

/// <summary>The runtime refused to create the container or exec process; the message is the runtime's.</summary>
internal sealed class ShimStartException(string message) : Exception(message);
