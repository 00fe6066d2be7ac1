using System.Globalization;
using Quai.Linux;
using Quai.Linux.Interop;
using Quai.Runtime.Cgroups;

namespace Quai.Runtime.Container;

/// <summary>
/// Starts `quai-runtime init` or `exec-init` from the sealed copy of the runtime, on a dedicated
/// OS thread that first joins the container's v1 cgroups and enters its namespaces (a .NET process
/// is multithreaded, but unshare/setns of mnt, uts, ipc, net, pid, cgroup act on the calling
/// thread, as a write of 0 to a v1 "tasks" file does, and the thread's child inherits them). The
/// thread then ends, and its namespaces with it; the child keeps them (runtime-notes.md: dedicated
/// thread).
/// </summary>
public static class InitLauncher
{
    /// <summary>Fds at or above this are free for shuffling before dup2 into 3, 4, … in the child.</summary>
    private const int ShuffleBase = 100;

    /// <summary>
    /// Runs <paramref name="enterNamespaces"/> then spawns on a new thread; returns the child's pid.
    /// The init socket becomes fd 3 + <paramref name="preserveFds"/>, the console socket the next one.
    /// With <paramref name="cgroup"/> (created already), the child is born in it in every hierarchy
    /// (<see cref="ICgroupManager.EnterForSpawn"/>): it is there when this returns.
    /// </summary>
    public static int Launch(SealedExecutable exe, string verb, Action enterNamespaces, int initSocket, int? consoleSocket, int preserveFds, ICgroupManager? cgroup, UserNamespacePlan? userNamespace = null) =>
        Launch(verb, () =>
        {
            enterNamespaces();
            return exe.ExecPath;
        }, initSocket, consoleSocket, preserveFds, cgroup, userNamespace);

    /// <summary>
    /// As above, but <paramref name="enterNamespacesAndPickExecutable"/> runs on the launcher thread,
    /// after which it returns the path to spawn (see <see cref="ReadOnlySelf"/>). With
    /// <paramref name="userNamespace"/>, the init is cloned into a new user namespace together with
    /// the namespaces in its flags (which it then owns), its id maps written before it runs, or
    /// joins the plan's existing one (<see cref="CloneSpawn"/>).
    /// </summary>
    public static int Launch(string verb, Func<string> enterNamespacesAndPickExecutable, int initSocket, int? consoleSocket, int preserveFds, ICgroupManager? cgroup, UserNamespacePlan? userNamespace)
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
        var inCgroup2 = false;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                // The cgroup first, while the thread still sees the host's cgroupfs: the child is
                // born in it instead of being moved there, which costs an RCU grace period.
                using var scope = cgroup?.EnterForSpawn();
                var executable = enterNamespacesAndPickExecutable();
                try
                {
                    (pid, inCgroup2) = Start(verb, executable, env, fds, userNamespace, scope?.Cgroup2Fd ?? -1);
                }
                catch (LinuxException e) when (e.Errno == Errnos.EAGAIN && cgroup is not null)
                {
                    // Moving a process in would pass pids.max (migration is exempt), but the
                    // runtime's own threads could not start in there either (runc's exec aborts
                    // the same way): say why.
                    throw new RuntimeException($"cannot start {verb} in the container's cgroup {cgroup.Path}: {e.Message}; it may have as many processes as its pids limit allows (pids.max)", e);
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw failure is LinuxException le ? new RuntimeException($"cannot start the container's init: {le.Message}", le) : failure;
        }
        if (cgroup is not null && !inCgroup2)
        {
            try
            {
                // Born in the v1 hierarchies; cgroup2 (if any) could not take it at birth.
                cgroup.AddProcessToCgroup2(pid);
            }
            catch
            {
                KillAndReap(pid);
                throw;
            }
        }
        return pid;
    }

    /// <summary>Spawns `quai-runtime VERB` on the calling (launcher) thread; returns its pid and whether it was born in <paramref name="cgroup2Fd"/>.</summary>
    private static (int Pid, bool InCgroup2) Start(string verb, string executable, List<string> env, List<(int, int)> fds, UserNamespacePlan? userNamespace, int cgroup2Fd)
    {
        if (userNamespace is null && !CloneSpawn.Supported)
        {
            var spawned = Spawn.Start(executable, ["quai-runtime", verb], env, fds);
            RuntimeLog.Debug($"posix_spawn {executable} {verb} = pid {spawned}");
            return (spawned, false);
        }
        // execveat of an fd: the init (as a user namespace's root, too) looks up no host path.
        // Above the dup2 targets (3, 4, …), like the fds they come from: the routine dup2s before
        // execveat, which must still find the executable's fd.
        using var opened = FdIo.Open(executable, Libc.O_PATH);
        using var exeFd = FdIo.DupAbove(opened.Fd, ShuffleBase);
        using var joinUserns = userNamespace?.JoinPath is { } join ? FdIo.Open(join, Libc.O_RDONLY) : null;
        var result = CloneSpawn.Start(new CloneRequest
        {
            ExecutableFd = exeFd.Fd,
            Argv = ["quai-runtime", verb],
            Env = env,
            Fds = fds,
            CgroupFd = cgroup2Fd,
            NamespaceFlags = userNamespace is { JoinPath: null } plan ? plan.CloneFlags : 0,
            IdMaps = userNamespace is { JoinPath: null } maps ? (maps.UidMap, maps.GidMap) : null,
            UserNamespaceFd = joinUserns?.Fd ?? -1,
        });
        RuntimeLog.Debug(userNamespace switch
        {
            null => $"clone3 {executable} {verb} = pid {result.Pid}, into cgroup2: {result.InCgroup}",
            { JoinPath: { } path } => $"fork + setns({path}) {executable} {verb} = pid {result.Pid}",
            _ => $"clone(0x{userNamespace.CloneFlags:x}) {executable} {verb} = pid {result.Pid}, uid_map \"{userNamespace.UidMap.TrimEnd()}\"",
        });
        return (result.Pid, result.InCgroup);
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
