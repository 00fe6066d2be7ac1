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
