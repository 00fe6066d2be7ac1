using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Quai.Shim.Client;

/// <summary>quaid's side of shim.sock: one connection per request (attach, wait, resize, state, closeStdin).</summary>
public sealed class ShimClient
{
    private const int MaxLine = 64 * 1024;

    /// <summary>A client of the shim whose state directory is <paramref name="stateDir"/>.</summary>
    public ShimClient(string stateDir)
    {
        StateDir = stateDir;
    }

    /// <summary>The shim's state directory.</summary>
    public string StateDir { get; }

    /// <summary>&lt;stateDir&gt;/shim.sock.</summary>
    public static string SocketPath(string stateDir) => Path.Combine(stateDir, "shim.sock");

    /// <summary>&lt;stateDir&gt;/exit.json.</summary>
    public static string ExitFilePath(string stateDir) => Path.Combine(stateDir, "exit.json");

    /// <summary>The exit status the shim recorded, or null while the process runs (or if the shim died first).</summary>
    public static ExitStatus? ReadExitFile(string stateDir)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(ExitFilePath(stateDir));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        var record = JsonSerializer.Deserialize(bytes, ShimJsonContext.Default.ExitRecord)
            ?? throw new ShimException($"{ExitFilePath(stateDir)} holds null instead of an exit record");
        return ExitStatus.FromRecord(record);
    }

    /// <summary>Attaches to the process's streams; output made before the first attach (up to 1 MiB) comes first.</summary>
    public async Task<ShimAttachment> AttachAsync(bool stdin, bool stdout, bool stderr, CancellationToken cancellationToken)
    {
        var socket = await RequestAsync(new ShimRequest { Op = "attach", Stdin = stdin, Stdout = stdout, Stderr = stderr }, cancellationToken).ConfigureAwait(false);
        try
        {
            var line = await ReadLineAsync(socket, cancellationToken).ConfigureAwait(false);
            EnsureOk(line, "attach");
            return new ShimAttachment(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Waits for the process to exit (or reads exit.json when the shim is already gone).</summary>
    public async Task<ExitStatus> WaitAsync(CancellationToken cancellationToken)
    {
        string? line = null;
        try
        {
            using var socket = await RequestAsync(new ShimRequest { Op = "wait" }, cancellationToken).ConfigureAwait(false);
            line = await ReadLineAsync(socket, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            // No shim listening: it has finished (exit.json) or died.
        }
        catch (IOException)
        {
        }
        if (line is not null)
        {
            var record = JsonSerializer.Deserialize(line, ShimJsonContext.Default.ExitRecord)
                ?? throw new ShimException($"shim {StateDir} answered wait with null");
            return ExitStatus.FromRecord(record);
        }
        return ReadExitFile(StateDir)
            ?? throw new ShimException($"the shim of {StateDir} is gone and left no exit.json: see {Path.Combine(StateDir, "shim.log")}");
    }

    /// <summary>
    /// Waits for the process to exit, as <see cref="WaitAsync"/>, but is answered before the shim's
    /// `runtime delete` when nothing of the container runs any more (its rootfs is unmounted by
    /// then, in either case). <paramref name="registered"/> completes once the shim holds the
    /// waiter: start the process after that to be told early however soon it exits.
    /// <c>Finished</c> completes when the shim has finished: the runtime's state is gone and the
    /// container's id can be created again.
    /// </summary>
    public async Task<(ExitStatus Status, Task Finished)> WaitEarlyAsync(TaskCompletionSource? registered, CancellationToken cancellationToken)
    {
        Socket? socket = null;
        string? line = null;
        try
        {
            socket = await RequestAsync(new ShimRequest { Op = "wait", Early = true }, cancellationToken).ConfigureAwait(false);
            line = await ReadLineAsync(socket, cancellationToken).ConfigureAwait(false);
            if (line is not null && IsAck(line))
            {
                registered?.TrySetResult();
                line = await ReadLineAsync(socket, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            // No shim listening: it has finished (exit.json) or died.
        }
        finally
        {
            // A shim that answered at once (an older one, or the exit is known): nothing to wait for.
            registered?.TrySetResult();
        }
        if (line is null)
        {
            socket?.Dispose();
            var exit = ReadExitFile(StateDir)
                ?? throw new ShimException($"the shim of {StateDir} is gone and left no exit.json: see {Path.Combine(StateDir, "shim.log")}");
            return (exit, Task.CompletedTask);
        }
        var record = JsonSerializer.Deserialize(line, ShimJsonContext.Default.ExitRecord);
        if (record is null)
        {
            socket!.Dispose();
            throw new ShimException($"shim {StateDir} answered wait with null");
        }
        return (ExitStatus.FromRecord(record), UntilClosedAsync(socket!));
    }

    private static bool IsAck(string line)
    {
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True;
    }

    /// <summary>Completes at the connection's end of file (or any error), then disposes it.</summary>
    private static async Task UntilClosedAsync(Socket socket)
    {
        using (socket)
        {
            var buffer = new byte[64];
            try
            {
                while (await socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false) > 0)
                {
                }
            }
            catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Sets the terminal size (TIOCSWINSZ); throws <see cref="ShimException"/> when the process has no terminal.</summary>
    public async Task ResizeAsync(int width, int height, CancellationToken cancellationToken) =>
        EnsureOk(await SimpleAsync(new ShimRequest { Op = "resize", Width = width, Height = height }, cancellationToken).ConfigureAwait(false), "resize");

    /// <summary>The process's pid and whether it still runs; from exit.json and init.pid when the shim has finished.</summary>
    public async Task<ShimState> StateAsync(CancellationToken cancellationToken)
    {
        try
        {
            var line = await SimpleAsync(new ShimRequest { Op = "state" }, cancellationToken).ConfigureAwait(false);
            if (line is not null)
            {
                return JsonSerializer.Deserialize(line, ShimJsonContext.Default.ShimState)
                    ?? throw new ShimException($"shim {StateDir} answered state with null");
            }
        }
        catch (SocketException)
        {
        }
        catch (IOException)
        {
        }
        var exit = ReadExitFile(StateDir)
            ?? throw new ShimException($"the shim of {StateDir} is not running and left no exit.json: see {Path.Combine(StateDir, "shim.log")}");
        var pidFile = Directory.EnumerateFiles(StateDir, "*.pid").FirstOrDefault(f => Path.GetFileName(f) != "shim.pid");
        var pid = pidFile is not null && int.TryParse(File.ReadAllText(pidFile).Trim(), out var p) ? p : 0;
        return new ShimState { Pid = pid, Running = false, ExitCode = exit.ExitCode };
    }

    /// <summary>Closes the process's stdin (it reads end of file once pending input is written).</summary>
    public async Task CloseStdinAsync(CancellationToken cancellationToken) =>
        EnsureOk(await SimpleAsync(new ShimRequest { Op = "closeStdin" }, cancellationToken).ConfigureAwait(false), "closeStdin");

    private async Task<string?> SimpleAsync(ShimRequest request, CancellationToken cancellationToken)
    {
        using var socket = await RequestAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadLineAsync(socket, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Socket> RequestAsync(ShimRequest request, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath(StateDir)), cancellationToken).ConfigureAwait(false);
            var json = JsonSerializer.SerializeToUtf8Bytes(request, ShimJsonContext.Default.ShimRequest);
            var line = new byte[json.Length + 1];
            json.CopyTo(line, 0);
            line[^1] = (byte)'\n';
            await socket.SendAsync(line, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads one reply line byte by byte, so nothing after it (attach frames) is consumed; null at end of stream.</summary>
    private static async Task<string?> ReadLineAsync(Socket socket, CancellationToken cancellationToken)
    {
        var bytes = new List<byte>(64);
        var one = new byte[1];
        while (bytes.Count < MaxLine)
        {
            var n = await socket.ReceiveAsync(one, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return bytes.Count == 0 ? null : throw new ShimException("the shim closed the connection in the middle of its reply");
            }
            if (one[0] == (byte)'\n')
            {
                return Encoding.UTF8.GetString(bytes.ToArray());
            }
            bytes.Add(one[0]);
        }
        throw new ShimException($"the shim's reply is longer than {MaxLine} bytes");
    }

    private void EnsureOk(string? line, string op)
    {
        if (line is null)
        {
            throw new ShimException($"the shim of {StateDir} closed the connection without answering {op}");
        }
        var reply = JsonSerializer.Deserialize(line, ShimJsonContext.Default.ShimReply);
        if (reply is not { Ok: true })
        {
            throw new ShimException($"{op}: {reply?.Error ?? line}");
        }
    }
}
