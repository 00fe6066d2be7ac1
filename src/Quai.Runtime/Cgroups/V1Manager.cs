using System.Diagnostics;
using Quai.Linux.Interop;
using Quai.Oci.Runtime;

namespace Quai.Runtime.Cgroups;

/// <summary>
/// A container's cgroup in the v1 hierarchies (kernel Documentation/admin-guide/cgroup-v1/), plus
/// the cgroup2 mount on a hybrid host, which holds the container's processes too (for cgroup.kill
/// and the controllers bound to v2 there, e.g. hugetlb).
/// </summary>
internal sealed partial class V1Manager : ICgroupManager
{
    private readonly List<V1Hierarchy> hierarchies;
    private readonly V2Manager? unified;
    private readonly CgroupEnvironment environment;

    public V1Manager(List<V1Hierarchy> hierarchies, V2Manager? unified, CgroupEnvironment environment)
    {
        this.hierarchies = hierarchies;
        this.unified = unified;
        this.environment = environment;
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var h in hierarchies)
        {
            foreach (var c in h.Controllers)
            {
                paths[c] = h.Path;
            }
        }
        if (unified is not null)
        {
            paths[""] = unified.Path;
        }
        Paths = paths;
        Path = hierarchies.Count > 0 ? hierarchies[0].Path : unified?.Path ?? "/";
    }

    public CgroupLayout Layout => unified is null ? CgroupLayout.V1 : CgroupLayout.Hybrid;

    public string Path { get; }

    public IReadOnlyDictionary<string, string> Paths { get; }

    public void Create(LinuxResources? resources)
    {
        foreach (var h in hierarchies)
        {
            foreach (var dir in CgroupFiles.MakeDirectories(h.MountPoint, h.Directory))
            {
                CgroupLog.Created(environment.Logger, dir);
            }
            if (h.Controllers.Contains("cpuset"))
            {
                InheritCpuset(h);
            }
        }
        if (unified is not null)
        {
            unified.CreateDirectory();
        }
        if (resources is not null)
        {
            Apply(resources);
        }
    }

    public void AddProcess(int pid)
    {
        var value = pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var h in hierarchies)
        {
            WriteFile(h.Directory, "cgroup.procs", value);
        }
        unified?.AddProcess(pid);
    }

    public CgroupSpawnScope EnterForSpawn()
    {
        // The thread's own cgroups, to go back to: opened now, since the thread may enter other
        // mount or cgroup namespaces before it spawns.
        var self = CgroupManager.ParseSelfCgroup(File.ReadAllText("/proc/thread-self/cgroup"));
        var homes = new List<FileDescriptorHandle>();
        FileDescriptorHandle? cgroup2 = null;
        try
        {
            foreach (var h in hierarchies)
            {
                var own = h.Controllers.Select(c => self.GetValueOrDefault(c)).FirstOrDefault(p => p is not null);
                var home = own is null ? null : CgroupFiles.OpenForWrite(h.Mount.DirectoryOf(own), "tasks");
                CgroupFiles.Write(h.Directory, "tasks", "0");
                CgroupLog.Wrote(environment.Logger, System.IO.Path.Combine(h.Directory, "tasks"), "0 (the spawning thread)");
                if (home is not null)
                {
                    homes.Add(home);
                }
            }
            cgroup2 = unified?.OpenDirectory();
            return new CgroupSpawnScope(homes, cgroup2);
        }
        catch
        {
            new CgroupSpawnScope(homes, cgroup2).Dispose();
            throw;
        }
    }

    public void AddProcessToCgroup2(int pid) => unified?.AddProcess(pid);

    public void Update(LinuxResources resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        Apply(resources);
    }

    public void Freeze() => SetFreezer(true);

    public void Thaw() => SetFreezer(false);

    public FreezerState GetFreezerState()
    {
        if (Find("freezer") is { } freezer)
        {
            // FREEZING is a freeze in progress (or stuck on an uninterruptible task): not frozen yet.
            return CgroupFiles.TryRead(freezer.Directory, "freezer.state") == "FROZEN" ? FreezerState.Frozen : FreezerState.Thawed;
        }
        return unified?.GetFreezerState() ?? FreezerState.Thawed;
    }

    public IReadOnlyList<int> GetPids()
    {
        var pids = new HashSet<int>();
        foreach (var h in hierarchies)
        {
            CgroupFiles.CollectPids(h.Directory, pids);
        }
        if (unified is not null)
        {
            CgroupFiles.CollectPids(unified.Directory, pids);
        }
        return [.. pids.Order()];
    }

    public void Kill(int signal)
    {
        var canFreeze = Find("freezer") is not null || unified is not null && File.Exists(System.IO.Path.Combine(unified.Directory, "cgroup.freeze"));
        if (unified is not null && signal == 9 && File.Exists(System.IO.Path.Combine(unified.Directory, "cgroup.kill")))
        {
            // AddProcess put every process in the unified cgroup too, so cgroup.kill reaches them
            // all, forks included; no freeze is needed for SIGKILL.
            unified.Kill(signal);
            V2Manager.SignalAll(this, signal, canFreeze: false);
        }
        else
        {
            V2Manager.SignalAll(this, signal, canFreeze);
        }
        // A paused container holds SIGKILL pending while frozen: thaw it so that it dies (runc
        // does the same when it kills a paused container).
        // Unconditionally: FREEZING (a freeze in progress) reads as not frozen, and thawing a
        // thawed cgroup is a no-op write.
        if (signal == 9 && canFreeze)
        {
            Thaw();
        }
    }

    public void Destroy()
    {
        var errors = new List<Exception>();
        foreach (var h in hierarchies)
        {
            try
            {
                CgroupFiles.RemoveTree(h.Directory, environment.SettleTimeout);
                CgroupLog.Removed(environment.Logger, h.Directory);
                V2Manager.RemoveDefaultParent(h.Path, h.Directory, environment);
            }
            catch (CgroupException e)
            {
                errors.Add(e);
            }
        }
        try
        {
            unified?.Destroy();
        }
        catch (CgroupException e)
        {
            errors.Add(e);
        }
        if (errors.Count > 0)
        {
            throw new CgroupException($"cannot remove cgroup {Path} from every hierarchy: {string.Join("; ", errors.Select(e => e.Message))}", errors[0]);
        }
    }

    /// <summary>The hierarchy carrying <paramref name="controller"/>, if mounted.</summary>
    internal V1Hierarchy? Find(string controller) => hierarchies.FirstOrDefault(h => h.Controllers.Contains(controller));

    private void WriteFile(string dir, string file, string value)
    {
        CgroupFiles.Write(dir, file, value);
        CgroupLog.Wrote(environment.Logger, System.IO.Path.Combine(dir, file), value);
    }

    /// <summary>
    /// A new cpuset starts with empty cpus/mems and refuses tasks (ENOSPC) until they are set
    /// (cgroup-v1/cpusets.rst §2.1): fill every empty level from its parent, top down, as runc does.
    /// </summary>
    private void InheritCpuset(V1Hierarchy h)
    {
        var rel = System.IO.Path.GetRelativePath(h.MountPoint, h.Directory);
        var parent = h.MountPoint;
        foreach (var part in rel == "." ? [] : rel.Split('/'))
        {
            var dir = System.IO.Path.Combine(parent, part);
            foreach (var file in new[] { "cpuset.cpus", "cpuset.mems" })
            {
                if (string.IsNullOrEmpty(CgroupFiles.TryRead(dir, file)) && CgroupFiles.TryRead(parent, file) is { Length: > 0 } value)
                {
                    WriteFile(dir, file, value);
                }
            }
            parent = dir;
        }
    }

    private void SetFreezer(bool frozen)
    {
        if (Find("freezer") is not { } freezer)
        {
            if (unified is not null)
            {
                unified.SetFrozen(frozen);
                return;
            }
            throw new CgroupException($"cannot {(frozen ? "freeze" : "thaw")} cgroup {Path}: the freezer controller is not mounted on this host");
        }
        var want = frozen ? "FROZEN" : "THAWED";
        var clock = Stopwatch.StartNew();
        while (true)
        {
            // A freeze can stay in FREEZING while a task sleeps uninterruptibly; writing FROZEN
            // again retries it (runc does the same in fs/freezer.go).
            WriteFile(freezer.Directory, "freezer.state", want);
            for (var i = 0; i < 10; i++)
            {
                if (CgroupFiles.TryRead(freezer.Directory, "freezer.state") == want)
                {
                    return;
                }
                Thread.Sleep(1);
            }
            if (clock.Elapsed > environment.SettleTimeout)
            {
                if (frozen)
                {
                    WriteFile(freezer.Directory, "freezer.state", "THAWED");
                }
                throw new CgroupException($"cgroup {freezer.Directory} did not reach {want} within {environment.SettleTimeout.TotalSeconds:0.#} s (freezer.state: {CgroupFiles.TryRead(freezer.Directory, "freezer.state")}); a process may be stuck in uninterruptible sleep");
            }
        }
    }
}
