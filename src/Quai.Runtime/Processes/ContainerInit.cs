using System.Globalization;
using System.Text;
using System.Text.Json;
using Quai.Linux;
using Quai.Linux.Interop;
using Quai.Oci.Runtime;
using Quai.Runtime.Hooks;
using Quai.Runtime.Rootfs;
using Quai.Runtime.Security;
using Quai.Runtime.Store;
using Quai.Runtime.Terminal;

namespace Quai.Runtime.Processes;

/// <summary>
/// `quai-runtime init`: the container's first process, spawned by `create` into the new
/// namespaces. It builds the rootfs, sets up the console and the process's privileges, reports
/// ready, waits on the exec fifo for `start`, then execve's the user's program (runtime.md#lifecycle).
/// </summary>
public static class ContainerInit
{
    /// <summary>Environment variable naming the init socket's fd.</summary>
    public const string PipeEnv = "_QUAI_INIT_PIPE";

    /// <summary>Environment variable naming the console socket's fd, when one was given.</summary>
    public const string ConsoleEnv = "_QUAI_CONSOLE_FD";

    /// <summary>Runs the init; returns an exit status only on failure.</summary>
    public static int Run()
    {
        using var channel = OpenChannel();
        if (channel is null)
        {
            ProcessFinisher.Fail($"{PipeEnv} is not set: `init` is started by `quai-runtime create`, not by hand");
            return 1;
        }
        InitBootstrap boot;
        try
        {
            boot = ReadBootstrap(channel);
        }
        catch (Exception e) when (e is RuntimeException or IOException or JsonException)
        {
            ProcessFinisher.Fail(e.Message);
            return 1;
        }
        var spec = boot.Spec;
        var process = spec.Process!;
        ProcessSecurity? security = null;
        FileDescriptorHandle? fifo = null;
        string executable;
        try
        {
            // The cgroup namespace is unshared here, after the parent placed us in our cgroup, so
            // that its root is the container's cgroup (cgroup_namespaces(7)).
            if (spec.Linux?.Namespaces?.Any(n => n.Type == NamespaceTypes.Cgroup && string.IsNullOrEmpty(n.Path)) == true)
            {
                Trace("unshare(CLONE_NEWCGROUP)", boot);
                Namespaces.Unshare(Namespaces.CLONE_NEWCGROUP);
            }
            // Compiled now: libseccomp cannot be loaded after pivot_root (trap 4).
            ProcessFinisher.DropUnraisableAmbient(process);
            // Compiled filters are cached under the root (ROOT/ID/exec.fifo → ROOT/@seccomp; '@' is
            // not allowed in ids), read now while the host's tree is still ours.
            var seccompCache = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(boot.ExecFifo!)!)!, "@seccomp");
            security = ProcessSecurity.Prepare(process, spec.Linux?.Seccomp, null, RuntimeLog.Warn, seccompCache);
            // An O_PATH fd from before pivot_root; reopened through /proc/self/fd to wait for `start` (runc's exec fifo).
            fifo = FdIo.Open(boot.ExecFifo!, Libc.O_PATH);
            Trace($"rootfs setup in {boot.Bundle}", boot);
            RootfsSetup.Prepare(spec, boot.Bundle, () =>
            {
                if (boot.ParentHooks)
                {
                    channel.Send(InitMessage.RunHooks);
                    channel.Expect(InitMessage.HooksDone);
                }
                HookRunner.Run(spec.Hooks?.CreateContainer, "createContainer", boot.StateJson);
            }, boot.NoPivot);
            if (process.Terminal)
            {
                ConsoleSetup.Attach(process, boot.HasConsole ? ConsoleFd() : null, container: true);
            }
            RootfsSetup.Finalize(spec);
            // The cwd is verified (chdir + getcwd, CVE-2024-21626) before the seccomp filter can load:
            // without noNewPrivileges, BeforeUserChange loads it while CAP_SYS_ADMIN is held, and a
            // profile may deny getcwd. chdir again as the user so a cwd it may not enter still fails.
            ProcessFinisher.EnterCwd(process.Cwd);
            security.BeforeUserChange();
            ProcessFinisher.ChangeUser(process);
            ProcessFinisher.ChdirAsUser(process.Cwd);
            executable = ProcessFinisher.ResolveExecutable(process);
            // Before Ready, so that a capset failure fails `create` (see ApplyCapabilities).
            security.ApplyCapabilities();
            channel.Send(InitMessage.Ready);
        }
        catch (Exception e)
        {
            fifo?.Dispose();
            security?.Dispose();
            TrySendError(channel, e);
            return 1;
        }

        FileDescriptorHandle? started = null;
        try
        {
            channel.Dispose();
            started = WaitForStart(fifo);
            HookRunner.Run(spec.Hooks?.StartContainer, "startContainer", boot.StateJson);
            // Before the seccomp filter (loaded by AfterUserChange), which may deny close_range.
            ProcessFinisher.CloseExtraFds(boot.PreserveFds);
            security.AfterUserChange();
            ProcessFinisher.ResetSignals();
            ProcessFinisher.Exec(executable, process);
            return 1;
        }
        catch (Exception e)
        {
            ProcessFinisher.Fail(e.Message);
            if (started is not null)
            {
                // `start` reads the fifo to EOF: text before EOF is this failure, which it reports
                // as its own (runtime.md#lifecycle: a failing startContainer hook fails start).
                try
                {
                    FdIo.WriteAll(started.Fd, Encoding.UTF8.GetBytes(e.Message), "exec fifo");
                }
                catch (LinuxException)
                {
                    // `start` is gone: stderr has the message already.
                }
            }
            return 1;
        }
        finally
        {
            // Also keeps the write end reachable until execve closes it (O_CLOEXEC).
            started?.Dispose();
        }
    }

    /// <summary>
    /// Blocks until `start` opens the fifo for reading, then writes the one byte it waits for.
    /// The write end stays open (O_CLOEXEC) until execve closes it: `start` reads to that EOF, so
    /// its poststart hooks run after the user's program is executed (runtime.md#lifecycle step 4-5).
    /// </summary>
    private static FileDescriptorHandle WaitForStart(FileDescriptorHandle fifo)
    {
        var w = FdIo.Open($"/proc/self/fd/{fifo.Fd}", Libc.O_WRONLY);
        FdIo.WriteAll(w.Fd, "0"u8, "exec fifo");
        fifo.Dispose();
        return w;
    }

    internal static InitChannel? OpenChannel()
    {
        var text = Environment.GetEnvironmentVariable(PipeEnv);
        return text is not null && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var fd)
            ? new InitChannel(new FileDescriptorHandle(fd))
            : null;
    }

    internal static InitBootstrap ReadBootstrap(InitChannel channel)
    {
        var payload = channel.Expect(InitMessage.Bootstrap);
        var boot = RuntimeRecordJson.ParseBootstrap(payload);
        RuntimeLog.Configure(null, false, boot.Debug);
        return boot.Spec.Process is null ? throw new RuntimeException("init: config has no process") : boot;
    }

    internal static int? ConsoleFd()
    {
        var text = Environment.GetEnvironmentVariable(ConsoleEnv);
        return text is not null && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var fd) ? fd : null;
    }

    internal static void TrySendError(InitChannel channel, Exception e)
    {
        try
        {
            channel.Send(InitMessage.Error, Encoding.UTF8.GetBytes(e.Message));
        }
        catch (Exception sendFailure) when (sendFailure is IOException or ObjectDisposedException)
        {
            ProcessFinisher.Fail(e.Message);
        }
    }

    internal static void Trace(string what, InitBootstrap boot)
    {
        if (boot.Debug)
        {
            RuntimeLog.Debug($"init: {what}");
        }
    }
}
