using Quai.Linux;
using Quai.Runtime.Security;
using Quai.Runtime.Terminal;

namespace Quai.Runtime.Processes;

/// <summary>
/// `quai-runtime exec-init`: a process started inside a running container. The parent thread
/// already joined ipc/uts/net/pid/cgroup; here the mount namespace is joined (after
/// unshare(CLONE_FS), which setns(2) needs in a multithreaded process), then cwd, user,
/// capabilities, seccomp and execve (runc libcontainer/setns_init_linux.go).
/// </summary>
public static class ExecInit
{
    /// <summary>Runs the exec-init; returns an exit status only on failure.</summary>
    public static int Run()
    {
        using var channel = ContainerInit.OpenChannel();
        if (channel is null)
        {
            ProcessFinisher.Fail($"{ContainerInit.PipeEnv} is not set: `exec-init` is started by `quai-runtime exec`, not by hand");
            return 1;
        }
        ProcessSecurity? security = null;
        try
        {
            var boot = ContainerInit.ReadBootstrap(channel);
            var process = boot.Spec.Process!;
            // Before setns(mnt): libseccomp must be loaded from the host's filesystem (trap 4).
            ProcessFinisher.DropUnraisableAmbient(process);
            security = ProcessSecurity.Prepare(process, boot.Spec.Linux?.Seccomp, null, RuntimeLog.Warn);
            Namespaces.Unshare(Namespaces.CLONE_FS);
            Namespaces.Join($"/proc/{boot.InitPid}/ns/mnt", Namespaces.CLONE_NEWNS);
            Quai.Linux.Interop.Libc.Chdir("/");
            if (process.Terminal)
            {
                ConsoleSetup.Attach(process, boot.HasConsole ? ContainerInit.ConsoleFd() : null, container: false);
            }
            // The cwd is verified (chdir + getcwd, CVE-2024-21626) before the seccomp filter can load:
            // without noNewPrivileges, BeforeUserChange loads it while CAP_SYS_ADMIN is held, and a
            // profile may deny getcwd. chdir again as the user so a cwd it may not enter still fails.
            ProcessFinisher.EnterCwd(process.Cwd);
            security.BeforeUserChange();
            ProcessFinisher.ChangeUser(process);
            ProcessFinisher.ChdirAsUser(process.Cwd);
            var executable = ProcessFinisher.ResolveExecutable(process);
            ProcessFinisher.CloseExtraFds(boot.PreserveFds);
            security.AfterUserChange();
            channel.Send(InitMessage.Ready);
            ProcessFinisher.ResetSignals();
            ProcessFinisher.Exec(executable, process);
            return 1;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            security?.Dispose();
            ContainerInit.TrySendError(channel, e);
            return 1;
        }
    }
}
