using Quai.Shim.Client;

namespace Quai.Shim.Server;

// After the process exited and its output drained: unmount, exit.json and the early waiters, then
// delete and the other waiters, when nothing of the container runs any more; else delete, unmount,
// exit.json, then all the waiters.
internal sealed partial class ShimServer
{
    private void Finish()
    {
        _outputDone = true;
        CloseStdio();
        try
        {
            _logger?.Flush();
        }
        catch (IOException e)
        {
            _log.Write($"log {_config.LogPath}: {e.Message}");
        }
        _logger?.Dispose();
        _logger = null;
        foreach (var c in _connections)
        {
            if (c.Role == ConnectionRole.Attached)
            {
                c.CloseAfterFlush = true;
                c.FeedsStdin = false;
            }
        }
        var status = _status!.Value;
        var oomKilled = _oom?.OomKilled() ?? false;
        var exit = new ExitRecord
        {
            ExitCode = status.ShellExitCode,
            Signal = status.Exited ? null : status.TermSignal,
            FinishedAt = _finishedAt ?? Rfc3339.Now(),
            OomKilled = oomKilled,
        };
        if (!_config.IsExec)
        {
            if (_oom?.ContainerEmpty() == true && !HasPoststopHooks())
            {
                // Nothing of the container runs any more (its pid namespace died with its init,
                // or its cgroup is empty otherwise): its rootfs can go and the exit be told before
                // `runtime delete`, a process of its own, so that quaid removes the container's
                // files beside it. Early waiters learn the end from their connection's end of file.
                // (poststop hooks, run by delete, keep the old order: they may look at the rootfs,
                // which containerd also unmounts only after delete.)
                UnmountRootfs();
                Announce(exit, early: true);
                _log.Write("exit told; the container is empty and its rootfs unmounted: runtime delete");
                Delete();
            }
            else
            {
                Delete();
                UnmountRootfs();
            }
        }
        Announce(exit, early: false);
    }

    /// <summary>True unless the bundle's config.json surely has no poststop hooks (a byte search, no parse; unreadable: true).</summary>
    private bool HasPoststopHooks()
    {
        try
        {
            return File.ReadAllBytes(Path.Combine(_config.Bundle, "config.json")).AsSpan().IndexOf("\"poststop\""u8) >= 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>`runtime delete --force`, once `runtime start` has finished.</summary>
    private void Delete()
    {
        WaitForStartToFinish();
        var (deleted, err) = RunQuiet(RuntimeCommand.Delete(_config), 30_000);
        if (deleted.ShellExitCode != 0)
        {
            _log.Write($"{string.Join(' ', RuntimeCommand.Delete(_config))} failed: {err.Trim()}");
        }
    }

    /// <summary>
    /// Tells the exit. Early (<see cref="ShimConnection.Early"/>): exit.json, then the early waiters
    /// get the line and keep their connection; attached clients whose output is all sent are
    /// closed. Final: the other waiters get the line, and every waiter's connection closes.
    /// </summary>
    private void Announce(ExitRecord exit, bool early)
    {
        if (_exit is null)
        {
            _exit = exit;
            WriteExitFile(exit);
        }
        var line = ShimWire.Line(ShimWire.Json(exit));
        foreach (var c in _connections)
        {
            if (c.Role == ConnectionRole.Waiting)
            {
                if (early && c.Early)
                {
                    Send(c, line);
                    c.Role = ConnectionRole.Done;
                }
                else if (!early)
                {
                    Send(c, line);
                    c.CloseAfterFlush = true;
                }
            }
            else if (!early && c.Role == ConnectionRole.Done && c.Early)
            {
                c.CloseAfterFlush = true;
            }
            if (c.CloseAfterFlush && c.Out.Count == 0)
            {
                c.Dead = true;
            }
        }
        RemoveDeadConnections();
    }

    /// <summary>
    /// exit.json, atomically (temporary file, rename(2)): a reader sees all of it or nothing. No
    /// fsync: it lives under the exec root (tmpfs on a real host, gone with a power loss anyway),
    /// and the waiters are answered only after it is written, so an fsync would delay every exit.
    /// </summary>
    private void WriteExitFile(ExitRecord record)
    {
        var path = ShimClient.ExitFilePath(_config.StateDir);
        var tmp = path + ".tmp";
        try
        {
            File.WriteAllBytes(tmp, ShimWire.Json(record));
            File.Move(tmp, path, overwrite: true);
        }
        catch (IOException e)
        {
            _log.Write($"writing {path}: {e.Message}");
        }
    }

    /// <summary>
    /// A program that exits at once can end while the caller's `runtime start` is still finishing:
    /// start reads the exec fifo (the process runs), then removes it. Deleting the container before
    /// that makes start fail (runc: "remove …/exec.fifo: no such file or directory"), so wait, at
    /// most 2 s, until the fifo is gone. Polled every millisecond: the fifo goes a few hundred
    /// microseconds after the process started, and a 10 ms step would delay each quick exit.
    /// </summary>
    private void WaitForStartToFinish()
    {
        if (_config.RuntimeRoot is not { } root)
        {
            return;
        }
        var fifo = Path.Combine(root, _config.Id, "exec.fifo");
        var deadline = Environment.TickCount64 + 2000;
        while (File.Exists(fifo) && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(1);
        }
    }
}
