using System.Globalization;
using System.Text;
using System.Text.Json;
using Quai.Linux;
using Quai.Linux.Interop;
using Quai.Oci;
using Quai.Oci.Runtime;
using Quai.Runtime.Cgroups;
using Quai.Runtime.Hooks;
using Quai.Runtime.Processes;
using Quai.Runtime.Store;

namespace Quai.Runtime.Container;

/// <summary>
/// `create` (runtime.md#create): validates the bundle, records the container under ROOT/ID,
/// creates its cgroup, spawns the init into new namespaces and drives the handshake until the
/// init waits on the exec fifo. Any failure undoes everything: init killed, cgroup removed, ROOT/ID gone.
/// </summary>
public sealed class ContainerCreator
{
    private readonly StateStore _store;
    private readonly bool _systemdCgroup;

    public ContainerCreator(StateStore store, bool systemdCgroup)
    {
        _store = store;
        _systemdCgroup = systemdCgroup;
    }

    /// <summary>Creates the container; returns the init's host pid.</summary>
    public int Create(CreateOptions options)
    {
        StateStore.ValidateId(options.Id);
        var bundle = Path.GetFullPath(options.Bundle);
        var spec = SpecLoader.Load(bundle);
        SpecLoader.Validate(spec, bundle);
        if (spec.Process!.Terminal && options.ConsoleSocket is null && options.ConsoleSocketFd is null)
        {
            throw new RuntimeException("process.terminal is true: pass --console-socket PATH to receive the pty master (or set terminal to false)");
        }

        var dir = _store.CreateContainerDir(options.Id);
        var record = new ContainerRecord
        {
            Id = options.Id,
            Bundle = bundle,
            Rootfs = Path.GetFullPath(Path.Combine(bundle, spec.Root!.Path)),
            Created = DateTimeOffset.UtcNow,
            Owner = "",
            Annotations = spec.Annotations,
            PoststartHooks = spec.Hooks?.Poststart is { Count: > 0 },
            PoststopHooks = spec.Hooks?.Poststop is { Count: > 0 },
        };
        ICgroupManager? cgroup = null;
        var pid = 0;
        try
        {
            File.Copy(Path.Combine(bundle, "config.json"), Path.Combine(dir, "config.json"));
            // The process's env may hold secrets, and ROOT/ID may become searchable (PrepareStaging).
            File.SetUnixFileMode(Path.Combine(dir, "config.json"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            _store.Save(record);
            var fifo = _store.FifoOf(options.Id);
            // 0622: the init may run as any user by the time it opens the fifo for writing.
            LinuxException.ThrowIfError(Libc.Mkfifo(fifo, 0x192), "mkfifo", fifo);
            Libc.Chmod(fifo, 0x192);

            // The init runs the runtime binary itself; see ReadOnlySelf for why a read-only bind in
            // the new mount namespace protects it, and when the sealed copy is needed instead.
            var bindSelf = ReadOnlySelf.Applies(spec, options.NoPivot);
            var self = Environment.ProcessPath ?? throw new RuntimeException("cannot find the runtime's own executable (/proc/self/exe)");
            using var exe = bindSelf ? null : SealedExecutable.Create();
            var (parentEnd, childEnd) = UnixSocket.Pair();
            using var channel = new InitChannel(parentEnd);
            using var console = options.ConsoleSocket is { } socketPath ? ConnectConsole(socketPath) : null;
            using (childEnd)
            {
                // The init is born in its cgroup (InitLauncher, ICgroupManager.EnterForSpawn), which
                // therefore exists first; its limits and device rules are written while the init's
                // runtime starts up, as runc sets them on an init it has already moved in. Nothing
                // container-related happens before that: the init blocks reading the bootstrap
                // frame, sent only after Update, so every mount, mknod and the user's program run
                // under the cgroup's limits and device rules.
                cgroup = CgroupManager.Open(spec.Linux?.CgroupsPath, options.Id, _systemdCgroup);
                cgroup.Create(null);
                var userNamespace = UserNamespacePlan.For(spec);
                var stagedRootfs = userNamespace is null ? null : PrepareStaging(dir, spec);
                pid = InitLauncher.Launch("init", () =>
                {
                    if (userNamespace is null)
                    {
                        EnterNamespaces(spec);
                        return exe?.ExecPath ?? ReadOnlySelf.Bind(self);
                    }
                    return EnterForUserNamespace(spec, record.Rootfs, stagedRootfs!, exe, self);
                }, childEnd.Fd, console?.Fd ?? options.ConsoleSocketFd, options.PreserveFds, cgroup, userNamespace);
                if (stagedRootfs is not null)
                {
                    // The init builds the rootfs from the staged bind (only its mount namespace has it).
                    spec.Root!.Path = stagedRootfs;
                }
            }
            record.CgroupsPath = cgroup.Path;
            record.CgroupPaths = new Dictionary<string, string>(cgroup.Paths);
            record.SystemdCgroup = _systemdCgroup;
            if (DefaultDeviceRules.WithDefaults(spec) is { } resources)
            {
                cgroup.Update(resources);
            }
            record.Pid = pid;
            record.InitStartTime = ProcessInfo.ReadStat(pid)?.StartTime ?? throw new RuntimeException($"the container's init (pid {pid}) exited right after it was started");
            _store.Save(record);

            // The hooks of create (prestart, createRuntime, createContainer) see "created", as crun
            // gives them and the runtime-tools validation (hooks_stdin) expects: the container's
            // namespaces and init exist by then.
            var stateJson = StateJson(record, ContainerStatus.Created, spec.Annotations);
            var parentHooks = spec.Hooks?.Prestart is { Count: > 0 } || spec.Hooks?.CreateRuntime is { Count: > 0 };
            var boot = new InitBootstrap
            {
                Spec = spec,
                Bundle = bundle,
                ExecFifo = fifo,
                StateJson = stateJson,
                ParentHooks = parentHooks,
                PreserveFds = options.PreserveFds,
                NoPivot = options.NoPivot,
                HasConsole = console is not null || options.ConsoleSocketFd is not null,
                Debug = RuntimeLog.DebugEnabled,
            };
            channel.Send(InitMessage.Bootstrap, RuntimeRecordJson.Serialize(boot));
            Handshake(channel, spec, stateJson, pid);

            record.Phase = ContainerStatus.Created;
            _store.Save(record);
            if (options.PidFile is { } pidFile)
            {
                WritePidFile(pidFile, pid);
            }
            return pid;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            InitLauncher.KillAndReap(pid);
            TryDestroy(cgroup);
            _store.Remove(options.Id);
            throw e switch
            {
                RuntimeException => e,
                CgroupException => new RuntimeException(e.Message, e),
                LinuxException or IOException => new RuntimeException($"container {options.Id}: {e.Message}", e),
                _ => e,
            };
        }
    }

    private static void Handshake(InitChannel channel, Spec spec, string stateJson, int pid)
    {
        while (true)
        {
            var frame = channel.Receive();
            if (frame is null)
            {
                throw new RuntimeException($"the container's init (pid {pid}) exited during setup; see its stderr above");
            }
            switch (frame.Value.Type)
            {
                case InitMessage.RunHooks:
                    // runtime.md#lifecycle: prestart (deprecated) and createRuntime run in the
                    // runtime's namespace after the container's namespaces exist, before pivot_root.
                    try
                    {
                        HookRunner.Run(spec.Hooks?.Prestart, "prestart", stateJson);
                        HookRunner.Run(spec.Hooks?.CreateRuntime, "createRuntime", stateJson);
                    }
                    catch (RuntimeException e)
                    {
                        channel.Send(InitMessage.Error, e.Message);
                        throw;
                    }
                    channel.Send(InitMessage.HooksDone);
                    break;
                case InitMessage.Ready:
                    return;
                case InitMessage.Error:
                    throw new RuntimeException($"container init: {Encoding.UTF8.GetString(frame.Value.Payload)}");
                default:
                    throw new RuntimeException($"init protocol: unexpected {frame.Value.Type}");
            }
        }
    }

    /// <summary>
    /// On the launcher thread: joins the namespaces that have a path (mount last, after
    /// unshare(CLONE_FS), which setns(mnt) needs), then unshares the new ones. The cgroup
    /// namespace is left to the init, which unshares it once it is in its cgroup.
    /// </summary>
    private static void EnterNamespaces(Spec spec)
    {
        var namespaces = spec.Linux?.Namespaces ?? [];
        var flags = 0;
        foreach (var ns in namespaces.OrderBy(n => n.Type == NamespaceTypes.Mount ? 1 : 0))
        {
            var flag = Namespaces.FlagOf(ns.Type);
            if (!string.IsNullOrEmpty(ns.Path))
            {
                if (flag == Namespaces.CLONE_NEWNS)
                {
                    Namespaces.Unshare(Namespaces.CLONE_FS);
                }
                RuntimeLog.Debug($"setns({ns.Path}, {ns.Type})");
                Namespaces.Join(ns.Path, flag);
            }
            else if (flag != Namespaces.CLONE_NEWCGROUP)
            {
                flags |= flag;
            }
        }
        if (flags != 0)
        {
            RuntimeLog.Debug($"unshare(0x{flags:x})");
            Namespaces.Unshare(flags);
        }
    }

    /// <summary>
    /// For a container with a new user namespace, the init becomes root of that namespace (a host
    /// uid such as 100000) before it builds the rootfs, and may not be able to search the bundle's
    /// directories (a 0700 parent, as mktemp makes): the launcher thread, still host root, binds
    /// the rootfs at ROOT/ID/rootfs in the mount namespace the init's is copied from, and ROOT/ID
    /// becomes searchable (0711) so the init reaches that bind and the exec fifo (0622) by path.
    /// </summary>
    private static string PrepareStaging(string stateDir, Spec spec)
    {
        var staged = Path.Combine(stateDir, "rootfs");
        LinuxException.ThrowIfError(Libc.Mkdir(staged, 0x1ED), "mkdir", staged);
        LinuxException.ThrowIfError(Libc.Chmod(stateDir, 0x1C9), "chmod", stateDir);
        for (var dir = Path.GetDirectoryName(stateDir); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
        {
            if ((File.GetUnixFileMode(dir) & UnixFileMode.OtherExecute) == 0)
            {
                var hostRoot = UserNamespacePlan.HostRootUid(spec);
                throw new RuntimeException($"{dir} is not searchable by others, so the container's root (host uid {hostRoot?.ToString(CultureInfo.InvariantCulture) ?? "unmapped"}) cannot reach its rootfs under the state root {Path.GetDirectoryName(stateDir)}: chmod o+x {dir}, or pass another --root");
            }
        }
        return staged;
    }

    /// <summary>
    /// On the launcher thread, for a new user namespace: joins the namespaces that have a path (the
    /// new ones are created by clone, owned by the new user namespace), then unshares a private
    /// mount namespace for this thread with "/" a slave (nothing reaches the host), where the
    /// runtime binary gets its read-only bind and the rootfs its staged bind; the init's mount
    /// namespace is a copy of this one. Returns the executable to run.
    /// </summary>
    private static string EnterForUserNamespace(Spec spec, string rootfs, string staged, SealedExecutable? exe, string self)
    {
        foreach (var ns in (spec.Linux?.Namespaces ?? []).Where(n => !string.IsNullOrEmpty(n.Path)))
        {
            RuntimeLog.Debug($"setns({ns.Path}, {ns.Type})");
            Namespaces.Join(ns.Path!, Namespaces.FlagOf(ns.Type));
        }
        Namespaces.Unshare(Namespaces.CLONE_NEWNS);
        var executable = exe?.ExecPath ?? ReadOnlySelf.Bind(self);
        if (exe is not null)
        {
            Mounts.SetPropagation("/", MountFlags.MS_SLAVE | MountFlags.MS_REC);
        }
        Mounts.Mount(rootfs, staged, null, MountFlags.MS_BIND | MountFlags.MS_REC);
        RuntimeLog.Debug($"bind {rootfs} at {staged} for the user namespace's init");
        return executable;
    }

    private static FileDescriptorHandle ConnectConsole(string path)
    {
        try
        {
            return UnixSocket.Connect(path);
        }
        catch (LinuxException e)
        {
            throw new RuntimeException($"cannot connect to the console socket {path}: {e.Message}", e);
        }
    }

    /// <summary>The OCI state document for hooks (runtime.md#state).</summary>
    public static string StateJson(ContainerRecord record, string status, Dictionary<string, string>? annotations) =>
        System.Text.Encoding.UTF8.GetString(RuntimeRecordJson.ToBytes(w => SpecJson.Write(w, new State { Id = record.Id, Status = status, Pid = record.Pid, Bundle = record.Bundle, Annotations = annotations })));

    /// <summary>Writes the pid file atomically, as runc does (temp file, rename).</summary>
    public static void WritePidFile(string path, int pid)
    {
        var full = Path.GetFullPath(path);
        StateStore.WriteAtomic(full, Encoding.ASCII.GetBytes(pid.ToString(CultureInfo.InvariantCulture)));
    }

    private static void TryDestroy(ICgroupManager? cgroup)
    {
        try
        {
            cgroup?.Destroy();
        }
        catch (CgroupException e)
        {
            RuntimeLog.Warn(e.Message);
        }
    }
}
