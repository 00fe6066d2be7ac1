using System.Globalization;
using System.Text;
using Quai.Linux;
using Quai.Linux.Interop;

namespace Quai.Shim.Server;

// Starting the process: rootfs mounts, stdio (pipes or a console socket), `runtime create` or
// `runtime exec --detach`, then the pid from --pid-file.
internal sealed partial class ShimServer
{
    private unsafe void StartProcess()
    {
        if (!_config.IsExec && _config.RootfsMountsFile is not null)
        {
            var mounts = RootfsMounter.Load(_config.RootfsMountsFile);
            _mounted = RootfsMounter.MountAll(mounts, Path.Combine(_config.Bundle, "rootfs"));
        }
        if (!_config.IsExec && _config.LogPath is not null)
        {
            _logger = new JsonFileLogger(_config.LogPath, _config.LogMaxSize, _config.LogMaxFile);
        }

        var consolePath = _config.Terminal ? Path.Combine(_config.StateDir, "console.sock") : null;
        using var console = consolePath is null ? null : Fds.Listen(consolePath);
        var outPipe = Fds.Pipe();
        (FileDescriptorHandle? Read, FileDescriptorHandle? Write) errPipe = _config.Terminal ? (null, null) : Fds.Pipe();
        (FileDescriptorHandle? Read, FileDescriptorHandle? Write) inPipe = !_config.Terminal && _config.Stdin ? Fds.Pipe() : (null, null);
        int runtimePid;
        using (var devnull = FdIo.Open("/dev/null", Libc.O_RDWR))
        {
            // With a terminal the process's stdio is the pty; the runtime's own stdout and stderr
            // (its error message) go to one pipe. Without, the runtime passes its stdio on to the
            // process (runc docs/terminals.md, "pass-through"), so the runtime's stderr is the
            // container's stderr pipe until create returns.
            var childIo = new List<(int, int)>
            {
                (inPipe.Read?.Fd ?? devnull.Fd, 0),
                (outPipe.Write.Fd, 1),
                (errPipe.Write?.Fd ?? outPipe.Write.Fd, 2),
            };
            var argv = _config.IsExec ? RuntimeCommand.Exec(_config, consolePath) : RuntimeCommand.Create(_config, consolePath);
            File.Delete(_config.PidFile);
            _log.Write($"running {string.Join(' ', argv)}");
            runtimePid = Spawn.Start(argv[0], argv, Environ(), childIo);
            _runtimeSpawned = true;
        }
        outPipe.Write.Dispose();
        errPipe.Write?.Dispose();
        inPipe.Read?.Dispose();
        _stdout = outPipe.Read;
        _stderr = errPipe.Read;
        _stdin = inPipe.Write;
        Fds.SetNonBlocking(_stdout);
        if (_stderr is not null)
        {
            Fds.SetNonBlocking(_stderr);
        }

        var captured = new[] { new ByteQueue(), new ByteQueue() };
        var status = WaitForRuntime(runtimePid, console, captured);
        if (console is not null)
        {
            TryDelete(consolePath!);
        }
        var stdoutText = Encoding.UTF8.GetString(captured[0].Pending);
        var stderrText = Encoding.UTF8.GetString(captured[1].Pending);
        if (status.ShellExitCode != 0)
        {
            var text = stderrText.Trim().Length > 0 ? stderrText : stdoutText;
            throw new ShimStartException(RuntimeCommand.ErrorMessage(_config, text, status.ShellExitCode));
        }
        if (_config.Terminal)
        {
            if (stdoutText.Trim().Length > 0)
            {
                _log.Write($"runtime said: {stdoutText.Trim()}");
            }
            _stdout.Dispose();
            _stdout = null;
            if (_pty is null)
            {
                throw new ShimStartException($"{_config.Runtime} did not send the terminal's pty master on the console socket {consolePath}");
            }
            Fds.SetNonBlocking(_pty);
        }
        _pid = ReadPidFile();
        _pidfd = Fds.PidfdOpen(_pid);
        _stdinOpen = _config.Stdin;
        if (_stdin is not null)
        {
            Fds.SetNonBlocking(_stdin);
        }
        if (!_config.IsExec)
        {
            _oom = OomProbe.ForPid(_pid);
            _log.Write($"oom probe: {_oom.File ?? "no memory cgroup found"}");
        }
        if (!_config.Terminal)
        {
            // exec --detach has started the process already: what it wrote is its output. Before
            // `start`, a container's init writes nothing: anything seen is the runtime's.
            if (_config.IsExec)
            {
                Deliver(1, captured[0].Pending);
                Deliver(2, captured[1].Pending);
            }
            else if (stdoutText.Length + stderrText.Length > 0)
            {
                _log.Write($"runtime said: {(stdoutText + stderrText).Trim()}");
            }
        }
    }

    /// <summary>Polls the runtime's pidfd, the console socket and the stdio pipes until the runtime exits.</summary>
    private unsafe WaitStatus WaitForRuntime(int runtimePid, FileDescriptorHandle? console, ByteQueue[] captured)
    {
        using var pidfd = Fds.PidfdOpen(runtimePid);
        var deadline = Environment.TickCount64 + RuntimeTimeoutMs;
        var pfds = stackalloc Libc.PollFd[4];
        bool outOpen = true, errOpen = _stderr is not null;
        while (true)
        {
            pfds[0] = new Libc.PollFd { Fd = pidfd.Fd, Events = Libc.POLLIN };
            pfds[1] = new Libc.PollFd { Fd = console is not null && _pty is null ? console.Fd : -1, Events = Libc.POLLIN };
            pfds[2] = new Libc.PollFd { Fd = outOpen ? _stdout!.Fd : -1, Events = Libc.POLLIN };
            pfds[3] = new Libc.PollFd { Fd = errOpen ? _stderr!.Fd : -1, Events = Libc.POLLIN };
            Libc.Poll(pfds, 4, (int)Math.Max(0, deadline - Environment.TickCount64));
            if (pfds[1].Revents != 0)
            {
                ReceivePty(console!);
            }
            if (outOpen && pfds[2].Revents != 0)
            {
                outOpen = DrainInto(_stdout!, captured[0]);
            }
            if (errOpen && pfds[3].Revents != 0)
            {
                errOpen = DrainInto(_stderr!, captured[1]);
            }
            if (pfds[0].Revents != 0)
            {
                break;
            }
            if (Environment.TickCount64 >= deadline)
            {
                Libc.Kill(runtimePid, Signals.SIGKILL);
                Spawn.Wait(runtimePid);
                throw new ShimStartException($"{_config.Runtime} {(_config.IsExec ? "exec" : "create")} did not finish within {RuntimeTimeoutMs / 1000} s (killed)");
            }
        }
        var status = Spawn.Wait(runtimePid);
        if (console is not null && _pty is null && FdIo.Poll(console.Fd, Libc.POLLIN, 0) != 0)
        {
            ReceivePty(console);
        }
        // The runtime is gone: what it wrote is in the pipes now (the process may hold the write
        // ends open, so read what is there rather than wait for end of file).
        if (outOpen)
        {
            DrainInto(_stdout!, captured[0]);
        }
        if (errOpen)
        {
            DrainInto(_stderr!, captured[1]);
        }
        return status;
    }

    private void ReceivePty(FileDescriptorHandle console)
    {
        using var conn = Fds.Accept(console, blocking: true);
        if (conn is null)
        {
            return;
        }
        // runc's console-socket protocol: the pty's name as data, the master as SCM_RIGHTS.
        var (master, _) = UnixSocket.ReceiveFd(conn.Fd);
        _pty = master;
    }

    private int ReadPidFile()
    {
        var path = _config.PidFile;
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (FileNotFoundException)
        {
            throw new ShimStartException($"{_config.Runtime} succeeded but wrote no pid file {path}");
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0
            ? pid
            : throw new ShimStartException($"the pid file {path} holds '{text}', not a pid");
    }
}
