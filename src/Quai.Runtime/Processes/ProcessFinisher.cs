using System.Runtime.InteropServices;
using System.Text;
using Quai.Linux;
using Quai.Linux.Interop;
using Quai.Runtime.Security;
using OciProcess = Quai.Oci.Runtime.Process;

namespace Quai.Runtime.Processes;

/// <summary>
/// The last steps of every container process (init and exec), on the thread that calls execve:
/// user change, capabilities and seccomp through <see cref="ProcessSecurity"/>, fd hygiene,
/// signal reset, execve (runc libcontainer/standard_init_linux.go, setns_init_linux.go).
/// </summary>
public static unsafe class ProcessFinisher
{
    private const int CLOSE_RANGE_CLOEXEC = 4;
    private const int SIG_SETMASK = 2;
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>
    /// Finds args[0] on the process's PATH (inside the container, after pivot_root or setns),
    /// so a missing program is reported before the container counts as created.
    /// </summary>
    public static string ResolveExecutable(OciProcess process)
    {
        var name = process.Args is { Count: > 0 } args ? args[0] : throw new RuntimeException("process.args is empty: give the program to run");
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(name) ? name : throw new RuntimeException($"exec {name}: no such file or directory in the container");
        }
        var path = process.Env?.FirstOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..] ?? DefaultPath;
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return candidate;
            }
        }
        throw new RuntimeException($"exec: \"{name}\": executable file not found in $PATH ({path}) in the container");
    }

    /// <summary>
    /// Drops ambient capabilities that are not both permitted and inheritable: the kernel refuses
    /// to raise them (capabilities(7), PR_CAP_AMBIENT_RAISE), and runc skips them, so configs such
    /// as runc's own default spec (ambient without inheritable) must still run.
    /// </summary>
    public static void DropUnraisableAmbient(OciProcess process)
    {
        var caps = process.Capabilities;
        if (caps?.Ambient is not { Count: > 0 } ambient)
        {
            return;
        }
        var dropped = ambient.Where(c => !(caps.Permitted?.Contains(c) == true && caps.Inheritable?.Contains(c) == true)).ToList();
        if (dropped.Count > 0)
        {
            RuntimeLog.Debug($"ambient capabilities skipped (not in permitted and inheritable): {string.Join(", ", dropped)}");
            ambient.RemoveAll(dropped.Contains);
        }
    }

    /// <summary>setgroups, setresgid, setresuid to process.user (keeping capabilities: <see cref="ProcessSecurity.BeforeUserChange"/> set PR_SET_KEEPCAPS), then umask.</summary>
    public static void ChangeUser(OciProcess process)
    {
        var user = process.User;
        var groups = (user.AdditionalGids ?? []).ToArray();
        fixed (uint* g = groups)
        {
            LinuxException.ThrowIfError(Libc.Setgroups((nuint)groups.Length, g), "setgroups", $"gids [{string.Join(',', groups)}]");
        }
        LinuxException.ThrowIfError(Libc.Setresgid(user.Gid, user.Gid, user.Gid), "setresgid", $"gid {user.Gid}");
        LinuxException.ThrowIfError(Libc.Setresuid(user.Uid, user.Uid, user.Uid), "setresuid", $"uid {user.Uid}");
        Libc.Umask(user.Umask ?? 0x12); // 0022 unless set (config.md#posix-platform-user)
    }

    /// <summary>chdir to process.cwd once more after the user change, so the user's permissions apply.</summary>
    public static void ChdirAsUser(string cwd)
    {
        if (Libc.Chdir(cwd) == -1)
        {
            throw new RuntimeException($"process.cwd {cwd}: {LinuxException.FromLastError("chdir", cwd).Message} (as uid {Libc.GetEuid()})");
        }
    }

    /// <summary>chdir to process.cwd, checked to be inside the container (CVE-2024-21626: a leaked fd as cwd).</summary>
    public static void EnterCwd(string cwd)
    {
        if (Libc.Chdir(cwd) == -1)
        {
            throw new RuntimeException($"process.cwd {cwd}: {LinuxException.FromLastError("chdir", cwd).Message}");
        }
        var buffer = stackalloc byte[4096];
        if (Libc.Getcwd(buffer, 4096) == null)
        {
            throw new RuntimeException($"process.cwd {cwd} is outside the container: {LinuxException.FromLastError("getcwd", cwd).Message}");
        }
        var actual = Marshal.PtrToStringUTF8((nint)buffer) ?? "";
        if (!actual.StartsWith('/'))
        {
            throw new RuntimeException($"process.cwd {cwd} is outside the container ({actual})");
        }
    }

    /// <summary>
    /// Marks every fd from 3 + <paramref name="keep"/> up close-on-exec (close_range(2)
    /// CLOSE_RANGE_CLOEXEC), so no runtime fd reaches the program (CVE-2024-21626).
    /// </summary>
    public static void CloseExtraFds(int keep)
    {
        if (Libc.CloseRange((uint)(3 + keep), uint.MaxValue, CLOSE_RANGE_CLOEXEC) == 0)
        {
            return;
        }
        // No close_range (ENOSYS) or a seccomp profile that denies it (loaded early when
        // noNewPrivileges is false): mark each open fd by hand, as runc's CloseExecFrom does.
        const int F_GETFD = 1;
        const int F_SETFD = 2;
        const int FD_CLOEXEC = 1;
        foreach (var entry in Directory.GetFileSystemEntries("/proc/self/fd"))
        {
            if (int.TryParse(Path.GetFileName(entry), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var fd) && fd >= 3 + keep)
            {
                var flags = Libc.Fcntl(fd, F_GETFD, 0);
                if (flags >= 0)
                {
                    LinuxException.ThrowIfError(Libc.Fcntl(fd, F_SETFD, flags | FD_CLOEXEC), "fcntl(F_SETFD, FD_CLOEXEC)", $"fd {fd}");
                }
            }
        }
    }

    /// <summary>Restores every signal to its default and clears the mask: .NET's dispositions (SIGPIPE ignored) must not reach the program (trap 5).</summary>
    public static void ResetSignals()
    {
        for (var sig = 1; sig <= 64; sig++)
        {
            if (sig is 9 or 19 or 32 or 33)
            {
                continue; // SIGKILL, SIGSTOP cannot change; 32/33 belong to glibc's threads.
            }
            Libc.Signal(sig, 0);
        }
        var set = stackalloc byte[128];
        Libc.Sigemptyset(set);
        Libc.PthreadSigmask(SIG_SETMASK, set, null);
    }

    /// <summary>execve(2) of <paramref name="path"/> with process.args and process.env; returns only by throwing.</summary>
    public static void Exec(string path, OciProcess process)
    {
        var owned = new List<nint>();
        var cpath = (byte*)Spawn.Utf8(path, owned);
        var argv = Spawn.StringArray(process.Args ?? [], owned);
        var envp = Spawn.StringArray(process.Env ?? [], owned);
        // Last, as nothing may be mapped under a low RLIMIT_AS (Rlimits.Apply).
        Rlimits.ApplyAddressSpace(process.Rlimits ?? []);
        Libc.Execve(cpath, argv, envp);
        throw new RuntimeException($"exec {path}: {LinuxException.FromLastError("execve", path).Message}");
    }

    /// <summary>Writes a message on the init's stderr, the only channel left after the handshake.</summary>
    public static void Fail(string message)
    {
        var bytes = Encoding.UTF8.GetBytes($"quai-runtime init: {message}\n");
        try
        {
            FdIo.WriteAll(2, bytes, "stderr");
        }
        catch (LinuxException)
        {
            // stderr closed: nothing else to tell.
        }
    }
}
