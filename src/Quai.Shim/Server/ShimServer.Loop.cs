using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Quai.Linux.Interop;

namespace Quai.Shim.Server;

// The poll(2) loop: output of the process to the log and attached clients, clients' bytes to its
// stdin, the exit through its pidfd, then the drain and the end.
internal sealed partial class ShimServer
{
    private const int TagListener = -1;
    private const int TagStdout = -2;
    private const int TagStderr = -3;
    private const int TagPty = -4;
    private const int TagPidfd = -5;
    private const int TagStdin = -6;

    private readonly List<Libc.PollFd> _pollFds = [];
    private readonly List<int> _pollTags = [];

    /// <summary>
    /// An exec process that ended before its client attached: its output waits (up to
    /// <see cref="ExecLingerMs"/>) for the first attach, so `docker exec` loses nothing however fast the process is.
    /// </summary>
    private bool AwaitingFirstAttach => _config.IsExec && !_everAttached && _early.Count > 0;

    private int StdinTarget => _stdin?.Fd ?? (_config.Stdin && _pty is not null ? _pty.Fd : -1);

    private unsafe void Loop()
    {
        long drainDeadline = 0;
        long finalDeadline = 0;
        while (true)
        {
            BuildPollSet();
            var now = Environment.TickCount64;
            var timeout = _outputDone ? (int)Math.Clamp(finalDeadline - now, 0, int.MaxValue)
                : _status is not null ? (int)Math.Max(0, drainDeadline - now)
                : -1;
            var span = CollectionsMarshal.AsSpan(_pollFds);
            fixed (Libc.PollFd* p = span)
            {
                if (Libc.Poll(p, (nuint)span.Length, timeout) < 0 && Marshal.GetLastPInvokeError() != Linux.Errnos.EINTR)
                {
                    throw Linux.LinuxException.FromLastError("poll", "shim loop");
                }
            }
            var count = _pollFds.Count;
            for (var i = 0; i < count; i++)
            {
                var revents = _pollFds[i].Revents;
                if (revents != 0)
                {
                    Dispatch(_pollTags[i], revents);
                }
            }
            RemoveDeadConnections();
            var hadStatus = _status is not null;
            Reap();
            if (!hadStatus && _status is not null)
            {
                drainDeadline = Environment.TickCount64 + DrainMs;
            }
            if (_status is not null && !_outputDone &&
                ((_stdout is null && _stderr is null && _pty is null) || Environment.TickCount64 >= drainDeadline))
            {
                Finish();
                finalDeadline = Environment.TickCount64 + (AwaitingFirstAttach ? ExecLingerMs : FinalFlushMs);
            }
            if (_outputDone && Environment.TickCount64 >= finalDeadline)
            {
                break;
            }
            if (_outputDone && _connections.Count == 0 && !AwaitingFirstAttach)
            {
                break;
            }
        }
        _listener?.Dispose();
        _listener = null;
        TryDelete(SocketPath);
    }

    private void BuildPollSet()
    {
        _pollFds.Clear();
        _pollTags.Clear();
        Add(_listener?.Fd ?? -1, Libc.POLLIN, TagListener);
        Add(_stdout?.Fd ?? -1, Libc.POLLIN, TagStdout);
        Add(_stderr?.Fd ?? -1, Libc.POLLIN, TagStderr);
        Add(_pty?.Fd ?? -1, Libc.POLLIN, TagPty);
        Add(_status is null ? _pidfd?.Fd ?? -1 : -1, Libc.POLLIN, TagPidfd);
        Add(_stdinPending.Count > 0 ? StdinTarget : -1, Libc.POLLOUT, TagStdin);
        for (var i = 0; i < _connections.Count; i++)
        {
            var c = _connections[i];
            short events = 0;
            if (!c.ReadClosed && !(c.FeedsStdin && _stdinPending.Count >= MaxStdinPending))
            {
                events |= Libc.POLLIN;
            }
            if (c.Out.Count > 0)
            {
                events |= Libc.POLLOUT;
            }
            Add(c.Fd.Fd, events, i);
        }
    }

    private void Add(int fd, short events, int tag)
    {
        if (fd < 0)
        {
            return;
        }
        _pollFds.Add(new Libc.PollFd { Fd = fd, Events = events });
        _pollTags.Add(tag);
    }

    private void Dispatch(int tag, short revents)
    {
        switch (tag)
        {
            case TagListener:
                AcceptClients();
                break;
            case TagStdout:
                ReadOutput(ref _stdout, 1);
                break;
            case TagStderr:
                ReadOutput(ref _stderr, 2);
                break;
            case TagPty:
                ReadOutput(ref _pty, 1);
                break;
            case TagPidfd:
                break; // Reap() runs after every round
            case TagStdin:
                FlushStdin();
                break;
            default:
                ServeConnection(_connections[tag], revents);
                break;
        }
    }

    /// <summary>Reads a few chunks (not all: other fds get their turn) and hands them on; closes the fd at its end.</summary>
    private void ReadOutput(ref FileDescriptorHandle? fd, byte stream)
    {
        for (var round = 0; round < 4 && fd is not null; round++)
        {
            var n = Fds.Read(fd.Fd, _buffer.AsSpan(8, ReadChunk));
            if (n == Fds.WouldBlock)
            {
                return;
            }
            if (n == Fds.Closed)
            {
                // End of file, or EIO from a pty master once no process holds the slave (pty(7)).
                if (ReferenceEquals(fd, _pty) && _stdin is null)
                {
                    _stdinOpen = false;
                }
                fd.Dispose();
                fd = null;
                return;
            }
            Deliver(stream, n);
        }
    }

    /// <summary>Copies <paramref name="data"/> into the frame buffer and delivers it.</summary>
    private void Deliver(byte stream, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var n = Math.Min(data.Length, ReadChunk);
            data[..n].CopyTo(_buffer.AsSpan(8));
            Deliver(stream, n);
            data = data[n..];
        }
    }

    /// <summary>
    /// Delivers the <paramref name="n"/> bytes at _buffer[8..]: to the json-file log, to each
    /// attached client that asked for the stream (docker's multiplexed frame: stream, 0, 0, 0,
    /// big-endian size), or to the early buffer until the first attach.
    /// </summary>
    private void Deliver(byte stream, int n)
    {
        if (_logger is not null)
        {
            try
            {
                _logger.Write(stream == 2, _buffer.AsSpan(8, n));
            }
            catch (IOException e)
            {
                // A full disk must not stop the container or its attached clients: logging stops.
                _log.Write($"log {_config.LogPath}: {e.Message}; logging stopped");
                _logger.Dispose();
                _logger = null;
            }
        }
        _buffer[0] = stream;
        _buffer[1] = _buffer[2] = _buffer[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(4), (uint)n);
        var frame = _buffer.AsSpan(0, 8 + n);
        if (!_everAttached)
        {
            if (_early.Count + frame.Length <= MaxEarly)
            {
                _early.Append(frame);
            }
            else if (!_earlyFullLogged)
            {
                _earlyFullLogged = true;
                _log.Write($"no client attached and {MaxEarly} bytes of output buffered: later output goes only to the log");
            }
            return;
        }
        foreach (var c in _connections)
        {
            if (c.Role == ConnectionRole.Attached && !c.Dead && (stream == 1 ? c.WantsStdout : c.WantsStderr))
            {
                Send(c, frame);
            }
        }
    }

    /// <summary>Sends to a client without blocking: what the socket does not take is queued; past 1 MiB queued the client is dropped, never the container stalled.</summary>
    private void Send(ShimConnection c, ReadOnlySpan<byte> data)
    {
        if (c.Dead)
        {
            return;
        }
        if (c.Out.Count == 0)
        {
            var n = Fds.Write(c.Fd.Fd, data, socket: true);
            if (n == Fds.Closed)
            {
                c.Dead = true;
                return;
            }
            data = data[Math.Max(0, n)..];
        }
        if (data.IsEmpty)
        {
            return;
        }
        if (c.Role == ConnectionRole.Attached && c.Out.Count + data.Length > MaxClientQueue)
        {
            _log.Write($"attached client too slow ({c.Out.Count} bytes queued): dropped");
            c.Dead = true;
            return;
        }
        c.Out.Append(data);
    }

    private void FlushClient(ShimConnection c)
    {
        while (c.Out.Count > 0)
        {
            var n = Fds.Write(c.Fd.Fd, c.Out.Pending, socket: true);
            if (n == Fds.Closed)
            {
                c.Dead = true;
                return;
            }
            if (n == Fds.WouldBlock)
            {
                return;
            }
            c.Out.Consume(n);
        }
    }

    private void WriteStdin(ReadOnlySpan<byte> data)
    {
        var fd = StdinTarget;
        if (!_stdinOpen || fd < 0)
        {
            return;
        }
        if (_stdinPending.Count == 0)
        {
            var n = Fds.Write(fd, data, socket: false);
            if (n == Fds.Closed)
            {
                _log.Write("the process closed its stdin: input dropped");
                CloseStdinNow();
                return;
            }
            data = data[Math.Max(0, n)..];
        }
        _stdinPending.Append(data);
    }

    private void FlushStdin()
    {
        var fd = StdinTarget;
        while (_stdinPending.Count > 0 && fd >= 0)
        {
            var n = Fds.Write(fd, _stdinPending.Pending, socket: false);
            if (n == Fds.WouldBlock)
            {
                return;
            }
            if (n == Fds.Closed)
            {
                CloseStdinNow();
                return;
            }
            _stdinPending.Consume(n);
        }
        if (_closeStdinWhenFlushed)
        {
            CloseStdinNow();
        }
    }

    /// <summary>closeStdin, or the end of a --stdin-once client's input: the process sees end of file once pending input is written.</summary>
    private void CloseStdin()
    {
        _stdinOpen = false;
        foreach (var c in _connections)
        {
            c.FeedsStdin = false;
        }
        if (_stdinPending.Count > 0)
        {
            _closeStdinWhenFlushed = true;
            return;
        }
        CloseStdinNow();
    }

    private void CloseStdinNow()
    {
        _stdinOpen = false;
        _closeStdinWhenFlushed = false;
        _stdinPending.Clear();
        // A pipe is closed so the process reads EOF; a pty master is the process's output too, so
        // it stays open and input simply stops (docker does not send ^D either).
        _stdin?.Dispose();
        _stdin = null;
    }

    private unsafe void Reap()
    {
        const int WNOHANG = 1;
        int status;
        while (true)
        {
            var rc = Libc.Waitpid(-1, &status, WNOHANG);
            if (rc <= 0)
            {
                break;
            }
            if (rc == _pid && _status is null)
            {
                Exited(new Linux.WaitStatus(status));
            }
            else
            {
                _log.Write($"reaped orphan {rc}");
            }
        }
        if (_status is null && _pidfd is not null && Linux.FdIo.Poll(_pidfd.Fd, Libc.POLLIN, 0) != 0)
        {
            var rc = Libc.Waitpid(_pid, &status, WNOHANG);
            if (rc == _pid)
            {
                Exited(new Linux.WaitStatus(status));
            }
            else if (rc == -1)
            {
                // The pidfd says the process ended, but it was no child of ours to reap: the
                // runtime did not leave it to the subreaper. Its status is lost.
                _log.Write($"pid {_pid} exited but is not the shim's child: exit status unknown");
                Exited(new Linux.WaitStatus(255 << 8));
            }
        }
    }

    private void Exited(Linux.WaitStatus status)
    {
        _status = status;
        _finishedAt = Rfc3339.Now();
        _pidfd?.Dispose();
        _pidfd = null;
        _log.Write($"pid {_pid} exited: {(status.Exited ? $"code {status.ExitCode}" : $"signal {status.TermSignal}")}");
    }

    private void RemoveDeadConnections()
    {
        for (var i = _connections.Count - 1; i >= 0; i--)
        {
            if (_connections[i].Dead)
            {
                _connections[i].Dispose();
                _connections.RemoveAt(i);
            }
        }
    }
}
