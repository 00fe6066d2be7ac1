using System.Runtime.InteropServices;
using System.Text;
using Quai.Linux.Interop;

namespace Quai.Linux;

/// <summary>
/// Starts processes with posix_spawn(3): glibc uses clone(CLONE_VM|CLONE_VFORK), which is safe in a
/// multithreaded process and keeps the calling thread's namespaces (runtime-notes: dedicated thread).
/// </summary>
public static unsafe class Spawn
{
    private const short POSIX_SPAWN_SETSIGMASK = 0x08;
    private const short POSIX_SPAWN_SETSIGDEF = 0x04;
    private const short POSIX_SPAWN_SETSID = 0x80;
    private const int AttrSize = 512;     // glibc: 336 bytes; generous on purpose
    private const int ActionsSize = 128;  // glibc: 80 bytes
    private const int SigsetSize = 128;
    private const int WNOHANG = 1;

    /// <summary>
    /// Spawns <paramref name="path"/> with <paramref name="argv"/> and <paramref name="env"/>; each
    /// (source, target) pair in <paramref name="fds"/> is dup2'ed in the child. Every signal is reset
    /// to its default and the mask cleared, because .NET ignores SIGPIPE and that survives execve (trap 5).
    /// </summary>
    public static int Start(string path, IReadOnlyList<string> argv, IReadOnlyList<string> env, IReadOnlyList<(int Source, int Target)> fds, bool newSession = false)
    {
        var attr = NativeMemory.AllocZeroed(AttrSize);
        var actions = NativeMemory.AllocZeroed(ActionsSize);
        var sigset = NativeMemory.AllocZeroed(SigsetSize);
        var strings = new List<nint>();
        try
        {
            Check(Libc.PosixSpawnattrInit(attr), "posix_spawnattr_init", path);
            Check(Libc.PosixSpawnFileActionsInit(actions), "posix_spawn_file_actions_init", path);
            Libc.Sigfillset(sigset);
            Check(Libc.PosixSpawnattrSetsigdefault(attr, sigset), "posix_spawnattr_setsigdefault", path);
            Libc.Sigemptyset(sigset);
            Check(Libc.PosixSpawnattrSetsigmask(attr, sigset), "posix_spawnattr_setsigmask", path);
            var flags = (short)(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | (newSession ? POSIX_SPAWN_SETSID : 0));
            Check(Libc.PosixSpawnattrSetflags(attr, flags), "posix_spawnattr_setflags", path);
            foreach (var (source, target) in fds)
            {
                Check(Libc.PosixSpawnFileActionsAdddup2(actions, source, target), "posix_spawn_file_actions_adddup2", path);
            }
            var cpath = (byte*)Utf8(path, strings);
            var cargv = StringArray(argv, strings);
            var cenv = StringArray(env, strings);
            int pid;
            Check(Libc.PosixSpawn(&pid, cpath, actions, attr, cargv, cenv), "posix_spawn", path);
            return pid;
        }
        finally
        {
            Libc.PosixSpawnFileActionsDestroy(actions);
            Libc.PosixSpawnattrDestroy(attr);
            NativeMemory.Free(attr);
            NativeMemory.Free(actions);
            NativeMemory.Free(sigset);
            foreach (var p in strings)
            {
                NativeMemory.Free((void*)p);
            }
        }
    }

    /// <summary>This process's environment as "NAME=value" entries, to pass on to a child.</summary>
    public static List<string> CurrentEnvironment()
    {
        var env = new List<string>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            env.Add($"{e.Key}={e.Value}");
        }
        return env;
    }

    /// <summary>waitpid(2) for <paramref name="pid"/>, retrying on EINTR.</summary>
    public static WaitStatus Wait(int pid)
    {
        int status;
        while (true)
        {
            var rc = Libc.Waitpid(pid, &status, 0);
            if (rc == pid)
            {
                return new WaitStatus(status);
            }
            var errno = Marshal.GetLastPInvokeError();
            if (rc == -1 && errno != Errnos.EINTR)
            {
                throw new LinuxException("waitpid", errno, $"pid {pid}");
            }
        }
    }

    /// <summary>Kills and reaps a child this process spawned (cleanup after a failed start); ignores one already reaped.</summary>
    public static void KillAndReap(int pid)
    {
        if (pid <= 0)
        {
            return;
        }
        ProcessInfo.Signal(pid, Signals.SIGKILL);
        try
        {
            Wait(pid);
        }
        catch (LinuxException e) when (e.Errno == Errnos.ECHILD)
        {
            // Reaped already.
        }
    }

    /// <summary>waitpid(2) with WNOHANG: the status if the child has exited, null if it still runs.</summary>
    public static WaitStatus? TryWait(int pid)
    {
        int status;
        var rc = Libc.Waitpid(pid, &status, WNOHANG);
        return rc == pid ? new WaitStatus(status) : rc == 0 ? null : throw LinuxException.FromLastError("waitpid", $"pid {pid}");
    }

    /// <summary>Builds a NULL-terminated array of C strings in native memory (freed with <paramref name="owned"/>).</summary>
    public static byte** StringArray(IReadOnlyList<string> values, List<nint> owned)
    {
        var array = (byte**)NativeMemory.AllocZeroed((nuint)(values.Count + 1), (nuint)sizeof(nint));
        owned.Add((nint)array);
        for (var i = 0; i < values.Count; i++)
        {
            array[i] = (byte*)Utf8(values[i], owned);
        }
        return array;
    }

    /// <summary>A NUL-terminated UTF-8 copy of <paramref name="value"/> in native memory.</summary>
    public static nint Utf8(string value, List<nint> owned)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        var p = (byte*)NativeMemory.Alloc((nuint)count + 1);
        owned.Add((nint)p);
        Encoding.UTF8.GetBytes(value, new Span<byte>(p, count));
        p[count] = 0;
        return (nint)p;
    }

    private static void Check(int rc, string call, string path)
    {
        // posix_spawn* return the error number instead of setting errno.
        if (rc != 0)
        {
            throw new LinuxException(call, rc, path);
        }
    }
}
