using System.Text;
using System.Text.Json;
using Quai.Linux;
using Quai.Oci.Runtime;
using Quai.Runtime.Processes;
using Quai.Runtime.Store;

namespace Quai.Runtime.Container;

/// <summary>
/// `exec` (runc exec): starts a process in a running container. A dedicated thread joins the
/// init's ipc, uts, net, pid and cgroup namespaces and spawns `exec-init`, which joins the mount
/// namespace itself (setns(mnt) needs an unshared fs struct: runtime-notes.md). The parent puts
/// the child in the container's cgroup before letting it go.
/// </summary>
public static class ContainerExec
{
    private static readonly string[] JoinOrder = [NamespaceTypes.Ipc, NamespaceTypes.Uts, NamespaceTypes.Network, NamespaceTypes.Cgroup, NamespaceTypes.Pid];

    /// <summary>Starts the process; returns its host pid once it is about to execve.</summary>
    public static int Start(ContainerService service, ExecOptions options)
    {
        var (record, status) = service.Load(options.Id);
        if (status is not (ContainerStatus.Running or ContainerStatus.Created))
        {
            throw new RuntimeException($"cannot exec in container {options.Id}: it is {status}, not running");
        }
        var spec = service.LoadSpec(record);
        spec.Process = options.Process;
        if (options.Process.Args is not { Count: > 0 })
        {
            throw new RuntimeException("exec needs a command: quai-runtime exec ID COMMAND [ARGS...] or --process FILE");
        }
        if (options.Process.Terminal && options.ConsoleSocket is null && options.ConsoleSocketFd is null)
        {
            throw new RuntimeException("exec --tty needs --console-socket PATH when detached (or run it in the foreground)");
        }
        var cgroup = ContainerService.OpenCgroup(record);
        var types = (spec.Linux?.Namespaces ?? []).Select(n => n.Type).ToHashSet();
        var initPid = record.Pid;
        using var exe = SealedExecutable.Create();
        var (parentEnd, childEnd) = UnixSocket.Pair();
        using var channel = new InitChannel(parentEnd);
        using var console = options.ConsoleSocket is { } path ? UnixSocket.Connect(path) : null;
        int pid;
        using (childEnd)
        {
            pid = InitLauncher.Launch(exe, "exec-init", () =>
            {
                foreach (var type in JoinOrder.Where(types.Contains))
                {
                    var nsPath = $"/proc/{initPid}/ns/{Namespaces.ProcName(type)}";
                    RuntimeLog.Debug($"setns({nsPath})");
                    Namespaces.Join(nsPath, Namespaces.FlagOf(type));
                }
            }, childEnd.Fd, console?.Fd ?? options.ConsoleSocketFd, options.PreserveFds, cgroup,
            // In a container with its own user namespace, exec-init joins it (then the mount
            // namespace, which that user namespace owns) and runs as its root.
            userNamespace: types.Contains(NamespaceTypes.User) ? UserNamespacePlan.Join($"/proc/{initPid}/ns/user") : null);
        }
        try
        {
            var boot = new InitBootstrap
            {
                Spec = spec,
                Bundle = record.Bundle,
                StateJson = ContainerCreator.StateJson(record, status, spec.Annotations),
                PreserveFds = options.PreserveFds,
                HasConsole = console is not null || options.ConsoleSocketFd is not null,
                InitPid = initPid,
                Debug = RuntimeLog.DebugEnabled,
            };
            channel.Send(InitMessage.Bootstrap, RuntimeRecordJson.Serialize(boot));
            var frame = channel.Receive() ?? throw new RuntimeException($"exec in container {options.Id}: the process exited during setup; see its stderr above");
            if (frame.Type == InitMessage.Error)
            {
                throw new RuntimeException($"exec in container {options.Id}: {Encoding.UTF8.GetString(frame.Payload)}");
            }
        }
        catch (Exception e) when (e is RuntimeException or LinuxException or Cgroups.CgroupException or IOException)
        {
            InitLauncher.KillAndReap(pid);
            throw e is RuntimeException ? e : new RuntimeException($"exec in container {options.Id}: {e.Message}", e);
        }
        if (options.PidFile is { } pidFile)
        {
            ContainerCreator.WritePidFile(pidFile, pid);
        }
        return pid;
    }
}
