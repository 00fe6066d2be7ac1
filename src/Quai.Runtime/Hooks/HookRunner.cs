using System.Text;
using Quai.Linux;
using Quai.Linux.Interop;
using Quai.Oci.Runtime;

namespace Quai.Runtime.Hooks;

/// <summary>
/// Runs OCI hooks (config.md#posix-platform-hooks): each hook is spawned with its path, args and
/// env, gets the container state JSON on stdin, and is killed when it outlives its timeout.
/// </summary>
public static unsafe class HookRunner
{
    /// <summary>Runs <paramref name="hooks"/> in order; the first failure throws, naming the hook kind and path.</summary>
    public static void Run(IReadOnlyList<Hook>? hooks, string kind, string stateJson)
    {
        if (hooks is null)
        {
            return;
        }
        foreach (var hook in hooks)
        {
            RunOne(hook, kind, stateJson);
        }
    }

    /// <summary>Runs every hook; failures are warnings on stderr (poststart, poststop: runtime.md#lifecycle).</summary>
    public static void RunWarn(IReadOnlyList<Hook>? hooks, string kind, string stateJson)
    {
        if (hooks is null)
        {
            return;
        }
        foreach (var hook in hooks)
        {
            try
            {
                RunOne(hook, kind, stateJson);
            }
            catch (Exception e) when (e is RuntimeException or IOException)
            {
                RuntimeLog.Warn(e.Message);
            }
        }
    }

    private static void RunOne(Hook hook, string kind, string stateJson)
    {
        int* fds = stackalloc int[2];
        LinuxException.ThrowIfError(Libc.Pipe2(fds, Libc.O_CLOEXEC), "pipe2", $"{kind} hook {hook.Path}");
        using var readEnd = new FileDescriptorHandle(fds[0]);
        using var writeEnd = new FileDescriptorHandle(fds[1]);
        int pid;
        try
        {
            var argv = hook.Args is { Count: > 0 } ? hook.Args : [hook.Path];
            pid = Spawn.Start(hook.Path, argv, hook.Env ?? [], [(readEnd.Fd, 0), (1, 1), (2, 2)]);
        }
        catch (LinuxException e)
        {
            throw new RuntimeException($"{kind} hook {hook.Path} could not be started: {e.Message}", e);
        }
        readEnd.Dispose();
        try
        {
            FdIo.WriteAll(writeEnd.Fd, Encoding.UTF8.GetBytes(stateJson), $"{kind} hook {hook.Path} stdin");
        }
        catch (LinuxException e) when (e.Errno == Errnos.EPIPE)
        {
            // The hook exited without reading its stdin; its exit status decides.
        }
        writeEnd.Dispose();
        var status = WaitWithTimeout(pid, hook.Timeout, kind, hook.Path);
        if (status.Exited && status.ExitCode == 0)
        {
            return;
        }
        var how = status.Exited ? $"exit status {status.ExitCode}" : $"signal {status.TermSignal}";
        throw new RuntimeException($"{kind} hook {hook.Path} failed: {how}");
    }

    private static WaitStatus WaitWithTimeout(int pid, int? timeoutSeconds, string kind, string path)
    {
        if (timeoutSeconds is not > 0)
        {
            return Spawn.Wait(pid);
        }
        using var pidfd = new FileDescriptorHandle((int)LinuxException.ThrowIfError(Libc.Syscall(Libc.SYS_pidfd_open, pid, 0), "pidfd_open", $"pid {pid}"));
        var deadline = Environment.TickCount64 + (timeoutSeconds.Value * 1000L);
        while (true)
        {
            var left = deadline - Environment.TickCount64;
            if (left <= 0)
            {
                ProcessInfo.Signal(pid, Signals.SIGKILL);
                Spawn.Wait(pid);
                throw new RuntimeException($"{kind} hook {path} timed out after {timeoutSeconds}s and was killed");
            }
            if (FdIo.Poll(pidfd.Fd, Libc.POLLIN, (int)left) != 0)
            {
                return Spawn.Wait(pid);
            }
        }
    }
}
