using System.Text;
using System.Text.Json;
using Quai.Linux;
using Quai.Linux.Interop;
using Quai.Shim.Client;

namespace Quai.Shim.Server;

// shim.sock: one JSON request line per connection, then a reply (and, for attach, a stream).
internal sealed partial class ShimServer
{
    private static ReadOnlySpan<byte> OkLine => "{\"ok\":true}\n"u8;

    private void AcceptClients()
    {
        while (_listener is not null && Fds.Accept(_listener) is { } fd)
        {
            _connections.Add(new ShimConnection(fd));
        }
    }

    private void ServeConnection(ShimConnection c, short revents)
    {
        if ((revents & Libc.POLLOUT) != 0)
        {
            FlushClient(c);
        }
        if (!c.Dead && !c.ReadClosed && (revents & (Libc.POLLIN | Libc.POLLHUP | Libc.POLLERR)) != 0)
        {
            ReadClient(c);
        }
        if ((revents & (Libc.POLLERR | Libc.POLLNVAL)) != 0 || ((revents & Libc.POLLHUP) != 0 && c.ReadClosed))
        {
            // Peer gone both ways: nothing more can be sent.
            c.Dead = true;
        }
        if (c.CloseAfterFlush && c.Out.Count == 0)
        {
            c.Dead = true;
        }
    }

    private void ReadClient(ShimConnection c)
    {
        var buffer = _buffer.AsSpan(8, ReadChunk);
        var n = Fds.Read(c.Fd.Fd, buffer);
        if (n == Fds.WouldBlock)
        {
            return;
        }
        if (n == Fds.Closed)
        {
            c.ReadClosed = true;
            if (c.Role == ConnectionRole.Pending)
            {
                c.Dead = true;
            }
            else if (c.FeedsStdin)
            {
                c.FeedsStdin = false;
                if (_config.StdinOnce)
                {
                    _log.Write("stdin client half-closed (--stdin-once): closing the process's stdin");
                    CloseStdin();
                }
            }
            return;
        }
        var data = buffer[..n];
        if (c.Role != ConnectionRole.Pending)
        {
            if (c.FeedsStdin)
            {
                WriteStdin(data);
            }
            return;
        }
        var nl = data.IndexOf((byte)'\n');
        c.Request.Append(nl >= 0 ? data[..(nl + 1)] : data);
        if (nl < 0)
        {
            if (c.Request.Count > ShimConnection.MaxRequest)
            {
                Answer(c, new ShimReply { Error = $"request line longer than {ShimConnection.MaxRequest} bytes" });
            }
            return;
        }
        var line = c.Request.Pending[..^1].ToArray();
        c.Request.Clear();
        Handle(c, line);
        var rest = data[(nl + 1)..];
        if (!rest.IsEmpty && c.FeedsStdin)
        {
            WriteStdin(rest);
        }
    }

    private void Handle(ShimConnection c, byte[] line)
    {
        ShimRequest? request;
        try
        {
            request = ShimWire.ReadRequest(line);
        }
        catch (JsonException e)
        {
            Answer(c, new ShimReply { Error = $"bad request line (expected one JSON object such as {{\"op\":\"wait\"}}): {e.Message}" });
            return;
        }
        switch (request?.Op)
        {
            case "attach":
                Attach(c, request);
                break;
            case "wait":
                c.Role = ConnectionRole.Waiting;
                c.Early = request.Early;
                if (c.Early)
                {
                    // The waiter is registered: the caller may start the process now and still be
                    // told early, however soon it exits.
                    Send(c, ShimWire.Line(ShimWire.Json(new ShimReply { Ok = true })));
                }
                if (_exit is not null)
                {
                    Send(c, ShimWire.Line(ShimWire.Json(_exit)));
                    c.CloseAfterFlush = true;
                }
                break;
            case "resize":
                Answer(c, Resize(request.Width, request.Height));
                break;
            case "state":
                c.Role = ConnectionRole.Done;
                var state = new ShimState { Pid = _pid, Running = _status is null, ExitCode = _status?.ShellExitCode };
                Send(c, ShimWire.Line(ShimWire.Json(state)));
                c.CloseAfterFlush = true;
                break;
            case "closeStdin":
                CloseStdin();
                Answer(c, new ShimReply { Ok = true });
                break;
            default:
                Answer(c, new ShimReply { Error = $"unknown op \"{request?.Op}\": use attach, wait, resize, state or closeStdin" });
                break;
        }
    }

    private void Attach(ShimConnection c, ShimRequest request)
    {
        c.Role = ConnectionRole.Attached;
        c.WantsStdout = request.Stdout;
        c.WantsStderr = request.Stderr;
        c.FeedsStdin = request.Stdin && _stdinOpen;
        Send(c, OkLine);
        if (!_everAttached)
        {
            _everAttached = true;
            ReplayEarly(c);
            _early.Clear();
        }
        if (_outputDone)
        {
            c.CloseAfterFlush = true;
        }
    }

    /// <summary>Sends the output buffered before the first attach, frame by frame, filtered by the streams asked for.</summary>
    private void ReplayEarly(ShimConnection c)
    {
        var pending = _early.Pending;
        while (pending.Length >= 8)
        {
            var size = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(pending[4..]);
            var frame = pending[..(8 + size)];
            if (pending[0] == 1 ? c.WantsStdout : c.WantsStderr)
            {
                Send(c, frame);
            }
            pending = pending[(8 + size)..];
        }
    }

    private ShimReply Resize(int width, int height)
    {
        if (!_config.Terminal)
        {
            return new ShimReply { Error = "the process has no terminal (started without --terminal): nothing to resize" };
        }
        if (_pty is null)
        {
            return new ShimReply { Error = "the process has exited: nothing to resize" };
        }
        if (width is <= 0 or > ushort.MaxValue || height is <= 0 or > ushort.MaxValue)
        {
            return new ShimReply { Error = $"bad terminal size {width}x{height}: width and height must be 1 to 65535" };
        }
        try
        {
            // TIOCSWINSZ on the master: the kernel sends SIGWINCH to the pty's foreground process group (ioctl_tty(2)).
            Pty.SetSize(_pty.Fd, (ushort)height, (ushort)width);
            return new ShimReply { Ok = true };
        }
        catch (LinuxException e)
        {
            return new ShimReply { Error = e.Message };
        }
    }

    private void Answer(ShimConnection c, ShimReply reply)
    {
        c.Role = ConnectionRole.Done;
        Send(c, ShimWire.Line(ShimWire.Json(reply)));
        c.CloseAfterFlush = true;
    }
}
