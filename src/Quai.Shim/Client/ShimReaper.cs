using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Quai.Linux;

namespace Quai.Shim.Client;

/// <summary>
/// Reaps the shims this process spawned, on SIGCHLD. The launcher spawns quai-shim once, in its
/// own session, instead of letting it re-spawn itself to be reparented to init (daemon(7)'s double
/// fork): one process start less on every container start. The shim is then our child until we
/// exit (afterwards init's, as before), so its exit must be waited for here or it stays a zombie.
/// Only the pids registered here are waited for (waitpid(pid, WNOHANG)), never -1: the children of
/// System.Diagnostics.Process belong to the .NET runtime's own SIGCHLD handling.
/// </summary>
internal static class ShimReaper
{
    private static readonly ConcurrentDictionary<int, byte> Pids = new();
    private static readonly Lock Gate = new();
    private static PosixSignalRegistration? _registration;

    /// <summary>Waits for <paramref name="pid"/> (a child of this process) once it exits.</summary>
    public static void Watch(int pid)
    {
        lock (Gate)
        {
            // Registered once and kept for the life of the process: SIGCHLD handlers chain with the
            // runtime's (PosixSignalRegistration docs), so Process keeps working.
            _registration ??= PosixSignalRegistration.Create(PosixSignal.SIGCHLD, _ => ReapExited());
        }
        Pids[pid] = 0;
        // A shim that exited before the registration or between two signals (SIGCHLD is not queued).
        ReapExited();
    }

    private static void ReapExited()
    {
        foreach (var pid in Pids.Keys)
        {
            try
            {
                if (Spawn.TryWait(pid) is null)
                {
                    continue;
                }
            }
            catch (LinuxException)
            {
                // ECHILD: reaped already (or not our child): nothing left to wait for.
            }
            Pids.TryRemove(pid, out _);
        }
    }
}
