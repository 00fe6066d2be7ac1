using System.Globalization;
using System.Runtime.ExceptionServices;
using Quai.Linux;
using Quai.Linux.Interop;

namespace Quai.Runtime.Container;

/// <summary>
/// Starts `quai-runtime init` or `exec-init` from the sealed copy of the runtime, on a dedicated
/// OS thread that first enters the container's namespaces (a .NET process is multithreaded, but
/// unshare/setns of mnt, uts, ipc, net, pid, cgroup act on the calling thread, and posix_spawn's
/// child inherits that thread's namespaces). The thread then ends, and its namespaces with it;
/// the child keeps them (runtime-notes.md: dedicated thread).
/// </summary>
public static class InitLauncher
{
    /// <summary>Fds at or above this are free for shuffling before dup2 into 3, 4, … in the child.</summary>
    private const int ShuffleBase = 100;

    /// <summary>
    /// Runs <paramref name="enterNamespaces"/> then posix_spawn on a new thread; returns the child's pid.
    /// The init socket becomes fd 3 + <paramref name="preserveFds"/>, the console socket the next one.
    /// <paramref name="meanwhile"/> runs on the calling thread (still in the runtime's own
    /// namespaces: unshare and setns there act on the launcher thread only) while the launcher
    /// spawns; if it throws, the spawned child is killed and reaped before the exception goes on.
    /// </summary>
    public static int Launch(SealedExecutable exe, string verb, Action enterNamespaces, int initSocket, int? consoleSocket, int preserveFds, Action? meanwhile = null, UserNamespacePlan? userNamespace = null) =>
        Launch(verb, () =>
        {
            enterNamespaces();
            return exe.ExecPath;
        }, initSocket, consoleSocket, preserveFds, meanwhile, userNamespace);

    /// <summary>
    /// As above, but <paramref name="enterNamespacesAndPickExecutable"/> runs on the launcher thread,
    /// after which it returns the path to spawn (see <see cref="ReadOnlySelf"/>).
    /// </summary>
    public static int Launch(string verb, Func<string> enterNamespacesAndPickExecutable, int initSocket, int? consoleSocket, int preserveFds, Action? meanwhile = null) =>
        Launch(verb, enterNamespacesAndPickExecutable, initSocket, consoleSocket, preserveFds, meanwhile, userNamespace: null);

    /// <summary>
    /// As above; with <paramref name="userNamespace"/>, the init is cloned into a new user namespace
    /// together with the namespaces in its flags (which it then owns), its id maps written before
    /// it runs (<see cref="UserNamespaceSpawn"/>), instead of posix_spawn'ed into the launcher
    /// thread's namespaces.
    /// </summary>
    public static int Launch(string verb, Func<string> enterNamespacesAndPickExecutable, int initSocket, int? consoleSocket, int preserveFds, Action? meanwhile, UserNamespacePlan? userNamespace)
    {
        using var init = FdIo.DupAbove(initSocket, ShuffleBase);
        using var console = consoleSocket is { } c ? FdIo.DupAbove(c, ShuffleBase) : null;
        var initTarget = 3 + preserveFds;
        var fds = new List<(int, int)> { (init.Fd, initTarget) };
        var env = new List<string>
        {
            $"{Processes.ContainerInit.PipeEnv}={initTarget.ToString(CultureInfo.InvariantCulture)}",
            // A .NET process in the container's namespaces must leave no diagnostics socket in /tmp (trap 6).
            "DOTNET_EnableDiagnostics=0",
        };
        if (console is not null)
        {
            fds.Add((console.Fd, initTarget + 1));
            env.Add($"{Processes.ContainerInit.ConsoleEnv}={(initTarget + 1).ToString(CultureInfo.InvariantCulture)}");
        }

        var pid = 0;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var executable = enterNamespacesAndPickExecutable();
                if (userNamespace is null)
                {
                    pid = Spawn.Start(executable, ["quai-runtime", verb], env, fds);
                    RuntimeLog.Debug($"posix_spawn {executable} {verb} = pid {pid}");
                }
                else
                {
                    // execveat of an fd: the init, already the namespace's root, looks up no host path.
                    // Above the dup2 targets (3, 4, …), like the fds they come from: the routine
                    // dup2s before execveat, which must still find the executable's fd.
                    using var opened = FdIo.Open(executable, Libc.O_PATH);
                    using var exe = FdIo.DupAbove(opened.Fd, ShuffleBase);
                    if (userNamespace.JoinPath is { } join)
                    {
                        using var userns = FdIo.Open(join, Libc.O_RDONLY);
                        pid = UserNamespaceSpawn.StartIn(userns.Fd, exe.Fd, ["quai-runtime", verb], env, fds);
                        RuntimeLog.Debug($"fork + setns({join}) {executable} {verb} = pid {pid}");
                    }
                    else
                    {
                        pid = UserNamespaceSpawn.Start(userNamespace.CloneFlags, exe.Fd, ["quai-runtime", verb], env, fds, userNamespace.UidMap, userNamespace.GidMap);
                        RuntimeLog.Debug($"clone(0x{userNamespace.CloneFlags:x}) {executable} {verb} = pid {pid}, uid_map \"{userNamespace.UidMap.TrimEnd()}\"");
                    }
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, maxStackSize: 256 * 1024);
        thread.Start();
        ExceptionDispatchInfo? meanwhileFailure = null;
        try
        {
            meanwhile?.Invoke();
        }
        catch (Exception e)
        {
            meanwhileFailure = ExceptionDispatchInfo.Capture(e);
        }
        thread.Join();
        if (failure is not null)
        {
            throw failure is LinuxException le ? new RuntimeException($"cannot start the container's init: {le.Message}", le) : failure;
        }
        if (meanwhileFailure is not null)
        {
            KillAndReap(pid);
            meanwhileFailure.Throw();
        }
        return pid;
    }

    /// <summary>Kills and reaps a child the runtime spawned (cleanup after a failed create or exec).</summary>
    public static void KillAndReap(int pid) => Spawn.KillAndReap(pid);

    /// <summary>
    /// The fds from 3 the container process keeps: --preserve-fds, or more when the caller was
    /// socket-activated (sd_listen_fds(3): LISTEN_FDS fds start at 3), as runc passes both on.
    /// </summary>
    public static int FdsToKeep(int preserveFds) =>
        int.TryParse(Environment.GetEnvironmentVariable("LISTEN_FDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var listen) && listen > preserveFds ? listen : preserveFds;

    /// <summary>Closes an fd number without a SafeHandle (the child's copy is the one that matters).</summary>
    internal static void Close(int fd) => Libc.Close(fd);
}
