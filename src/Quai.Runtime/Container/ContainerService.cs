using System.Text;
using System.Text.Json;
using Quai.Linux;
using Quai.Linux.Interop;
using Quai.Oci;
using Quai.Oci.Runtime;
using Quai.Runtime.Cgroups;
using Quai.Runtime.Hooks;
using Quai.Runtime.Store;

namespace Quai.Runtime.Container;

/// <summary>
/// Operations on an existing container (runtime.md#operations): start, kill, delete, state,
/// pause/resume, update. Every call loads ROOT/ID afresh: each verb is its own process.
/// </summary>
public sealed partial class ContainerService
{
    private readonly StateStore _store;

    public ContainerService(StateStore store) => _store = store;

    /// <summary>Loads a container and its live status.</summary>
    public (ContainerRecord Record, string Status) Load(string id)
    {
        var record = _store.Load(id);
        return (record, StatusOf(record));
    }

    /// <summary>The live status (<see cref="StatusResolver"/>).</summary>
    public string StatusOf(ContainerRecord record)
    {
        var alive = record.Pid > 0 && ProcessInfo.IsAlive(record.Pid, record.InitStartTime);
        var fifo = File.Exists(_store.FifoOf(record.Id));
        var frozen = false;
        if (alive && !fifo && record.Phase != ContainerStatus.Creating)
        {
            try
            {
                frozen = OpenCgroup(record).GetFreezerState() == FreezerState.Frozen;
            }
            catch (CgroupException)
            {
                frozen = false;
            }
        }
        return StatusResolver.Resolve(record.Phase, alive, fifo, frozen);
    }

    /// <summary>`start`: lets a created container's init exec the user's program, then runs poststart hooks.</summary>
    public void Start(string id)
    {
        var (record, status) = Load(id);
        if (status != ContainerStatus.Created)
        {
            throw new RuntimeException(status == ContainerStatus.Stopped
                ? $"cannot start container {id}: it has stopped; delete it and create it again"
                : $"cannot start container {id}: it is {status}, not created");
        }
        var fifoPath = _store.FifoOf(id);
        var failure = new List<byte>();
        using (var fifo = FdIo.Open(fifoPath, Libc.O_RDONLY | Libc.O_NONBLOCK))
        {
            // The init blocks opening the fifo for writing until this open; poll, and check the
            // init still lives, so a dead init cannot leave `start` waiting forever.
            // Then read on to EOF: the init's write end is close-on-exec, so EOF means the user's
            // program has been exec'd (or the init died), and poststart may run (runtime.md#lifecycle).
            // Bytes after the first are the init's error when a startContainer hook or execve failed.
            Span<byte> buffer = stackalloc byte[1024];
            var signalled = false;
            while (true)
            {
                var events = FdIo.Poll(fifo.Fd, Libc.POLLIN, 100);
                if ((events & (Libc.POLLIN | Libc.POLLHUP)) != 0)
                {
                    var n = FdIo.ReadSome(fifo.Fd, signalled ? buffer : buffer[..1], fifoPath);
                    if (n > 0)
                    {
                        if (signalled)
                        {
                            failure.AddRange(buffer[..n]);
                        }
                        signalled = true;
                        continue;
                    }
                    if (signalled)
                    {
                        break;
                    }
                }
                if (!ProcessInfo.IsAlive(record.Pid, record.InitStartTime))
                {
                    if (signalled)
                    {
                        break;
                    }
                    throw new RuntimeException($"cannot start container {id}: its init (pid {record.Pid}) exited before start");
                }
            }
        }
        // Read before the fifo goes: a supervisor may delete the container as soon as it is gone.
        var spec = record.PoststartHooks == false ? null : LoadSpec(record);
        try
        {
            File.Delete(fifoPath);
        }
        catch (DirectoryNotFoundException)
        {
            // A program that exits at once may already have been deleted by its supervisor
            // (a shim runs `delete` on exit): the start itself succeeded.
        }
        if (failure.Count > 0)
        {
            AwaitInitExit(record);
            throw new RuntimeException($"cannot start container {id}: {Encoding.UTF8.GetString([.. failure])}");
        }
        if (spec?.Hooks?.Poststart is { Count: > 0 } poststart)
        {
            HookRunner.RunWarn(poststart, "poststart", ContainerCreator.StateJson(record, ContainerStatus.Running, spec.Annotations));
        }
    }

    /// <summary>
    /// After the init reported a failed startContainer hook or execve, waits until it has exited,
    /// so that the failed start leaves the container stopped (runtime.md#lifecycle): the report
    /// comes just before the init's exit, and `state` right after `start` saw it still running.
    /// An init that lingers past a few seconds is killed.
    /// </summary>
    private static void AwaitInitExit(ContainerRecord record)
    {
        var fd = (int)Libc.Syscall(Libc.SYS_pidfd_open, record.Pid, 0);
        if (fd < 0)
        {
            return; // already reaped
        }
        using var pidfd = new FileDescriptorHandle(fd);
        // The pid may have been reused since (the init reaped, another process given its pid).
        if (!ProcessInfo.IsAlive(record.Pid, record.InitStartTime))
        {
            return;
        }
        // A pidfd is readable once its process has exited (pidfd_open(2)).
        if ((FdIo.Poll(pidfd.Fd, Libc.POLLIN, 5000) & Libc.POLLIN) == 0)
        {
            RuntimeLog.Debug($"init {record.Pid} still runs 5 s after its start failed: kill");
            if (ProcessInfo.IsAlive(record.Pid, record.InitStartTime))
            {
                ProcessInfo.Signal(record.Pid, Signals.SIGKILL);
            }
            FdIo.Poll(pidfd.Fd, Libc.POLLIN, 5000);
        }
    }

    /// <summary>`kill`: a signal to the init, or with <paramref name="all"/> to every process of the cgroup.</summary>
    public void Kill(string id, int signal, bool all)
    {
        var (record, status) = Load(id);
        if (status == ContainerStatus.Stopped && !all)
        {
            throw new RuntimeException($"cannot kill container {id}: it is not running (status stopped)");
        }
        if (all)
        {
            OpenCgroup(record).Kill(signal);
            return;
        }
        RuntimeLog.Debug($"kill({record.Pid}, {signal})");
        ProcessInfo.Signal(record.Pid, signal);
    }

    /// <summary>`delete`: removes a stopped (or created) container; with <paramref name="force"/> kills a running one first.</summary>
    public void Delete(string id, bool force)
    {
        ContainerRecord record;
        string status;
        try
        {
            (record, status) = Load(id);
        }
        catch (RuntimeException) when (force)
        {
            // runc delete --force of an unknown id succeeds: the caller wants it gone.
            _store.Remove(id);
            return;
        }
        if (status is ContainerStatus.Running or ContainerStatus.Paused or ContainerStatus.Creating && !force)
        {
            throw new RuntimeException($"cannot delete container {id} that is not stopped: {status} (stop it, or use delete --force)");
        }
        if (status != ContainerStatus.Stopped)
        {
            KillEverything(record, status);
        }
        Cleanup(record);
    }

    /// <summary>poststop hooks (warnings only), cgroup removal, ROOT/ID removal; each step tolerates a previous partial cleanup.</summary>
    public void Cleanup(ContainerRecord record)
    {
        var spec = record.PoststopHooks == false ? null : TryLoadSpec(record);
        if (spec?.Hooks?.Poststop is { Count: > 0 } poststop)
        {
            HookRunner.RunWarn(poststop, "poststop", ContainerCreator.StateJson(record, ContainerStatus.Stopped, spec.Annotations));
        }
        try
        {
            OpenCgroup(record).Destroy();
        }
        catch (CgroupException e)
        {
            RuntimeLog.Warn($"container {record.Id}: {e.Message}");
        }
        _store.Remove(record.Id);
    }

    private void KillEverything(ContainerRecord record, string status)
    {
        var cgroup = OpenCgroup(record);
        try
        {
            cgroup.Kill(Signals.SIGKILL);
        }
        catch (CgroupException e)
        {
            RuntimeLog.Debug($"cgroup kill: {e.Message}");
        }
        ProcessInfo.Signal(record.Pid, Signals.SIGKILL);
        if (status == ContainerStatus.Paused)
        {
            // A frozen task cannot die until thawed (cgroup-v1/freezer-subsystem).
            cgroup.Thaw();
        }
        var deadline = Environment.TickCount64 + 10_000;
        while (ProcessInfo.IsAlive(record.Pid, record.InitStartTime) || cgroup.GetPids().Count > 0)
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new RuntimeException($"container {record.Id}: processes still alive 10s after SIGKILL (pid {record.Pid})");
            }
            Thread.Sleep(5);
        }
    }

    /// <summary>The cgroup recorded at create: its per-hierarchy paths (state written by older builds has only the path).</summary>
    public static ICgroupManager OpenCgroup(ContainerRecord record) =>
        record.CgroupPaths is { Count: > 0 } paths
            ? CgroupManager.Reopen(paths)
            : CgroupManager.Open(record.CgroupsPath, record.Id, record.SystemdCgroup);

    /// <summary>The config.json copied into ROOT/ID at create.</summary>
    public Spec LoadSpec(ContainerRecord record) =>
        TryLoadSpec(record) ?? throw new RuntimeException($"container {record.Id}: its config copy {Path.Combine(_store.DirOf(record.Id), "config.json")} is missing or invalid");

    private Spec? TryLoadSpec(ContainerRecord record)
    {
        try
        {
            return SpecJson.ParseSpec(File.ReadAllBytes(Path.Combine(_store.DirOf(record.Id), "config.json")));
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
