using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Quai.Linux;
using Quai.Linux.Interop;

namespace Quai.Shim.Client;

/// <summary>Starts quai-shim for quaid and waits for its one report line on fd 3.</summary>
public static class ShimLauncher
{
    /// <summary>
    /// Spawns quai-shim (new session, stdio on /dev/null, fd 3 a socket back to us) and returns
    /// once the container (or exec process) exists; throws <see cref="ShimException"/> with the
    /// runtime's message when it could not be created. The shim is spawned once, already
    /// --daemonized (its own session, cwd /): <see cref="ShimReaper"/> waits for it when it ends.
    /// </summary>
    public static async Task<ShimHandle> StartAsync(ShimOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(options.ShimPath))
        {
            throw new ShimException($"quai-shim not found at {options.ShimPath}: build it (scripts/publish.sh) or fix the shim path");
        }
        Directory.CreateDirectory(options.StateDir);
        var (ours, pairEnd) = UnixSocket.Pair();
        int shimPid;
        // Above 3, so that dup2 onto 3 in the child always makes a fresh, inheritable descriptor.
        using (var theirs = FdIo.DupAbove(pairEnd.Fd, 10))
        using (pairEnd)
        using (var devnull = FdIo.Open("/dev/null", Libc.O_RDWR))
        {
            var argv = new List<string> { options.ShimPath };
            argv.AddRange(options.ToArguments());
            argv.Add("--daemonized");
            shimPid = Spawn.Start(options.ShimPath, argv, Environ(), [(devnull.Fd, 0), (devnull.Fd, 1), (devnull.Fd, 2), (theirs.Fd, 3)], newSession: true);
        }
        ShimReaper.Watch(shimPid);
        var socket = new Socket(new SafeSocketHandle(ours.DangerousGetHandle(), ownsHandle: true));
        ours.SetHandleAsInvalid();
        string text;
        using (socket)
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(options.StartTimeout);
            try
            {
                text = await ReadAllAsync(socket, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ShimException($"quai-shim for {options.Id} did not report within {options.StartTimeout.TotalSeconds} s: see {Path.Combine(options.StateDir, "shim.log")}");
            }
        }
        var line = text.TrimEnd('\n');
        if (line.StartsWith("ok ", StringComparison.Ordinal) && int.TryParse(line.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return new ShimHandle(pid, options.StateDir, shimPid);
        }
        if (line.StartsWith("error ", StringComparison.Ordinal))
        {
            throw new ShimException(line[6..]);
        }
        throw new ShimException($"quai-shim for {options.Id} exited without reporting{(line.Length > 0 ? $" (it said '{line}')" : "")}: see {Path.Combine(options.StateDir, "shim.log")}");
    }

    private static async Task<string> ReadAllAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var all = new MemoryStream();
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return Encoding.UTF8.GetString(all.GetBuffer(), 0, (int)all.Length);
            }
            all.Write(buffer, 0, n);
        }
    }

    private static List<string> Environ() => Spawn.CurrentEnvironment();
}
