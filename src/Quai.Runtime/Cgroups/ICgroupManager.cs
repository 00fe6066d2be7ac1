using Quai.Oci.Runtime;

namespace Quai.Runtime.Cgroups;

/// <summary>
/// One container's cgroup, in every hierarchy the host mounts. Obtain one through
/// <see cref="CgroupManager.Open(string?, string, bool)"/>. Methods are synchronous and throw
/// <see cref="CgroupException"/> naming the cgroup file and what the user can do.
/// </summary>
public interface ICgroupManager
{
    /// <summary>The host's cgroup layout this manager writes to.</summary>
    CgroupLayout Layout { get; }

    /// <summary>
    /// The resolved cgroup path (absolute, from the hierarchy root, e.g. "/quai/abc"). For a
    /// relative cgroupsPath on v1 each hierarchy may resolve differently: this is the path in
    /// the first hierarchy; <see cref="Paths"/> has all of them. Store it in the container state.
    /// </summary>
    string Path { get; }

    /// <summary>Resolved cgroup path per hierarchy: v1 controller name (or "name=systemd") → path; "" is the unified (cgroup2) hierarchy.</summary>
    IReadOnlyDictionary<string, string> Paths { get; }

    /// <summary>Creates the cgroup in every hierarchy (mkdir -p) and applies <paramref name="resources"/>.</summary>
    void Create(LinuxResources? resources);

    /// <summary>Moves <paramref name="pid"/> into the cgroup in every hierarchy (cgroup.procs), the unified one too in hybrid.</summary>
    void AddProcess(int pid);

    /// <summary>
    /// Lets the calling thread spawn a process straight into this cgroup (created already), instead
    /// of moving the process in after (<see cref="AddProcess"/>): moves the thread alone into the v1
    /// hierarchies (0 written to "tasks"), so that its child is born in them, and opens the cgroup2
    /// directory for clone3's CLONE_INTO_CGROUP. Neither takes the kernel's global
    /// cgroup_threadgroup_rwsem (a thread that moves itself is exempt since Linux 6.0), whose write
    /// side (any pid written to cgroup.procs or tasks) waits for an RCU grace period: 8-16 ms per
    /// container on a 2-core VM, the longest step of a create. Spawn, then dispose the scope, which
    /// moves the thread back; a child that clone3 could not place in cgroup2 goes there with
    /// <see cref="AddProcessToCgroup2"/>.
    /// </summary>
    CgroupSpawnScope EnterForSpawn();

    /// <summary>Moves <paramref name="pid"/> into the cgroup2 hierarchy only (a child born in the v1 ones); nothing without one.</summary>
    void AddProcessToCgroup2(int pid);

    /// <summary>Applies new limits to an existing cgroup (<c>runc update</c>).</summary>
    void Update(LinuxResources resources);

    /// <summary>Freezes every process and waits until the kernel reports the cgroup frozen.</summary>
    void Freeze();

    /// <summary>Thaws every process and waits until the kernel reports the cgroup thawed.</summary>
    void Thaw();

    /// <summary>Reads the freezer state.</summary>
    FreezerState GetFreezerState();

    /// <summary>Every pid in the cgroup and its descendants, sorted.</summary>
    IReadOnlyList<int> GetPids();

    /// <summary>Sends <paramref name="signal"/> to every process of the cgroup (v2 SIGKILL uses cgroup.kill where the kernel has it).</summary>
    void Kill(int signal);

    /// <summary>Removes the cgroup (leaf-first) in every hierarchy; retries briefly while the kernel reports EBUSY; does nothing when already gone.</summary>
    void Destroy();

    /// <summary>Memory, CPU, pids and block I/O statistics.</summary>
    CgroupStats GetStats();
}
