using System.Diagnostics;
using Quai.Linux;
using Quai.Linux.Interop;
using Quai.Oci.Runtime;

namespace Quai.Runtime.Cgroups;

/// <summary>
/// A container's cgroup in a cgroup2 hierarchy (kernel Documentation/admin-guide/cgroup-v2.rst):
/// the whole manager on a unified host, the core (procs, freeze, kill, hugetlb, unified keys) on a
/// hybrid one.
/// </summary>
internal sealed partial class V2Manager : ICgroupManager
{
    private const int SIGKILL = 9;
    private readonly CgroupMount mount;
    private readonly CgroupEnvironment environment;
    private readonly bool hybrid;

    public V2Manager(CgroupMount mount, string path, CgroupEnvironment environment, bool hybrid)
    {
        this.mount = mount;
        this.environment = environment;
        this.hybrid = hybrid;
        Path = path;
        Directory = mount.DirectoryOf(path);
    }

    /// <summary>The cgroup's directory.</summary>
    public string Directory { get; }

    public CgroupLayout Layout => CgroupLayout.V2;

    public string Path { get; }

    public IReadOnlyDictionary<string, string> Paths => new Dictionary<string, string> { [""] = Path };

    public void Create(LinuxResources? resources)
    {
        CreateDirectory();
        // On a unified host every available controller is enabled down to the container, as runc
        // does, so stats and later updates find their files; on a hybrid host only what is asked
        // for, since the v1 hierarchies own the other controllers.
        EnableControllers(hybrid ? ControllersNeeded(resources) : null);
        if (resources is not null)
        {
            Apply(resources);
        }
    }

    /// <summary>mkdir -p of the cgroup directory.</summary>
    public void CreateDirectory()
    {
        foreach (var dir in CgroupFiles.MakeDirectories(mount.MountPoint, Directory))
        {
            CgroupLog.Created(environment.Logger, dir);
        }
    }

    public void AddProcess(int pid) => WriteFile("cgroup.procs", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public CgroupSpawnScope EnterForSpawn() => new([], OpenDirectory());

    public void AddProcessToCgroup2(int pid) => AddProcess(pid);

    /// <summary>The cgroup's directory, opened for CLONE_INTO_CGROUP.</summary>
    public FileDescriptorHandle OpenDirectory()
    {
        try
        {
            return FdIo.Open(Directory, Libc.O_RDONLY | Libc.O_DIRECTORY);
        }
        catch (LinuxException e)
        {
            throw new CgroupException($"cannot open the cgroup {Directory}: {e.Message}", e);
        }
    }

    public void Update(LinuxResources resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        if (hybrid)
        {
            EnableControllers(ControllersNeeded(resources));
        }
        Apply(resources);
    }

    public void Freeze() => SetFrozen(true);

    public void Thaw() => SetFrozen(false);

    public FreezerState GetFreezerState()
    {
        // cgroup.freeze says what was asked; "frozen" in cgroup.events whether it is done.
        var freeze = CgroupFiles.TryRead(Directory, "cgroup.freeze");
        if (freeze is null || freeze == "0")
        {
            return FreezerState.Thawed;
        }
        return ReadFrozenEvent() ? FreezerState.Frozen : FreezerState.Thawed;
    }

    public IReadOnlyList<int> GetPids()
    {
        var pids = new HashSet<int>();
        CgroupFiles.CollectPids(Directory, pids);
        return [.. pids.Order()];
    }

    public void Kill(int signal)
    {
        // cgroup.kill (Linux 5.14) kills the whole subtree atomically, new forks included.
        if (signal == SIGKILL && File.Exists(System.IO.Path.Combine(Directory, "cgroup.kill")))
        {
            WriteFile("cgroup.kill", "1");
        }
        else
        {
            SignalAll(this, signal, canFreeze: File.Exists(System.IO.Path.Combine(Directory, "cgroup.freeze")));
        }
        // A paused container must not linger frozen with SIGKILL pending: thaw it so it dies.
        // Decide by what was asked (cgroup.freeze), not by the settled "frozen" event: while the
        // killed tasks die the event reads 0 for a moment, and the cgroup would stay frozen.
        if (signal == SIGKILL && CgroupFiles.TryRead(Directory, "cgroup.freeze") == "1")
        {
            Thaw();
        }
    }

    public void Destroy()
    {
        CgroupFiles.RemoveTree(Directory, environment.SettleTimeout);
        CgroupLog.Removed(environment.Logger, Directory);
        RemoveDefaultParent(Path, Directory, environment);
    }

    /// <summary>
    /// The default cgroup "/quai/&lt;id&gt;" shares the parent "/quai", which Quai made: it goes
    /// with its last container, so nothing of Quai stays behind on the host.
    /// </summary>
    internal static void RemoveDefaultParent(string path, string directory, CgroupEnvironment environment)
    {
        if (path.StartsWith(CgroupManager.DefaultParent + "/", StringComparison.Ordinal) && path.LastIndexOf('/') == CgroupManager.DefaultParent.Length)
        {
            var parent = System.IO.Path.GetDirectoryName(directory)!;
            if (CgroupFiles.TryRemoveEmpty(parent))
            {
                CgroupLog.Removed(environment.Logger, parent);
            }
        }
    }

    /// <summary>
    /// Signals every pid of <paramref name="manager"/>. Frozen first where possible (as runc's
    /// signalAllProcesses) so a process cannot fork a child the loop has not seen.
    /// </summary>
    internal static void SignalAll(ICgroupManager manager, int signal, bool canFreeze)
    {
        var froze = false;
        if (canFreeze && manager.GetFreezerState() == FreezerState.Thawed)
        {
            try
            {
                manager.Freeze();
            }
            catch (CgroupException)
            {
                // A task stuck in uninterruptible sleep can keep the freeze from completing; the
                // signals still go out, only without the guarantee against racing forks.
            }
            froze = true;
        }
        try
        {
            foreach (var pid in manager.GetPids())
            {
                // ESRCH: the process exited between reading cgroup.procs and kill(2).
                if (Libc.Kill(pid, signal) != 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Errnos.ESRCH)
                {
                    throw new CgroupException($"cannot send signal {signal} to pid {pid} of cgroup {manager.Path}: {Errnos.Describe(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}");
                }
            }
        }
        finally
        {
            if (froze)
            {
                manager.Thaw();
            }
        }
    }

    internal void WriteFile(string file, string value)
    {
        CgroupFiles.Write(Directory, file, value);
        CgroupLog.Wrote(environment.Logger, System.IO.Path.Combine(Directory, file), value);
    }

    /// <summary>Freezes or thaws through cgroup.freeze and waits for "frozen" in cgroup.events to follow.</summary>
    internal void SetFrozen(bool frozen)
    {
        if (!File.Exists(System.IO.Path.Combine(Directory, "cgroup.freeze")))
        {
            throw new CgroupException($"cannot {(frozen ? "freeze" : "thaw")} cgroup {Directory}: it has no cgroup.freeze (the cgroup v2 freezer needs Linux 5.2 or later)");
        }
        WriteFile("cgroup.freeze", frozen ? "1" : "0");
        var clock = Stopwatch.StartNew();
        while (ReadFrozenEvent() != frozen)
        {
            if (clock.Elapsed > environment.SettleTimeout)
            {
                throw new CgroupException($"cgroup {Directory} did not become {(frozen ? "frozen" : "thawed")} within {environment.SettleTimeout.TotalSeconds:0.#} s (cgroup.events: {CgroupFiles.TryRead(Directory, "cgroup.events")})");
            }
            Thread.Sleep(1);
        }
    }

    private bool ReadFrozenEvent() =>
        CgroupFiles.ParseFlatKeyed(CgroupFiles.TryRead(Directory, "cgroup.events")).GetValueOrDefault("frozen") == 1;

    /// <summary>Enables <paramref name="wanted"/> (all available when null) in cgroup.subtree_control of every ancestor, root first.</summary>
    private void EnableControllers(IReadOnlySet<string>? wanted)
    {
        if (wanted is { Count: 0 })
        {
            return;
        }
        var rel = System.IO.Path.GetRelativePath(mount.MountPoint, Directory);
        var level = mount.MountPoint;
        var parts = rel == "." ? [] : rel.Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            var available = Words(CgroupFiles.TryRead(level, "cgroup.controllers"));
            var enabled = Words(CgroupFiles.TryRead(level, "cgroup.subtree_control"));
            foreach (var controller in available)
            {
                if ((wanted is null || wanted.Contains(controller)) && !enabled.Contains(controller))
                {
                    try
                    {
                        WriteAt(level, "cgroup.subtree_control", "+" + controller);
                    }
                    catch (CgroupException e)
                    {
                        // e.g. EBUSY: "no internal processes" (cgroup-v2.rst) when the level holds
                        // processes. A limit that needs the controller fails later with a clear error.
                        CgroupLog.EnableFailed(environment.Logger, controller, level, e.Message);
                    }
                }
            }
            level = System.IO.Path.Combine(level, parts[i]);
        }
    }

    private void WriteAt(string dir, string file, string value)
    {
        CgroupFiles.Write(dir, file, value);
        CgroupLog.Wrote(environment.Logger, System.IO.Path.Combine(dir, file), value);
    }

    internal static HashSet<string> Words(string? text) =>
        text is null ? [] : [.. text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)];
}
