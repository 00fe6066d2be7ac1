using Quai.Linux.Interop;

namespace Quai.Runtime.Cgroups;

/// <summary>
/// A thread's stay in a container's cgroup while it spawns the container's process there
/// (<see cref="ICgroupManager.EnterForSpawn"/>): the thread alone is in the cgroup's v1 hierarchies,
/// so its child is born in them, and <see cref="Cgroup2Fd"/> is the cgroup2 directory for clone3's
/// CLONE_INTO_CGROUP. Disposing moves the thread back where it was and closes the directory.
/// </summary>
public sealed unsafe class CgroupSpawnScope : IDisposable
{
    private readonly List<FileDescriptorHandle> _homes;
    private readonly FileDescriptorHandle? _cgroup2;

    internal CgroupSpawnScope(List<FileDescriptorHandle> homes, FileDescriptorHandle? cgroup2)
    {
        _homes = homes;
        _cgroup2 = cgroup2;
    }

    /// <summary>The cgroup2 directory to clone the child into, or -1 when the cgroup has none.</summary>
    public int Cgroup2Fd => _cgroup2?.Fd ?? -1;

    /// <summary>Moves the thread back to its own v1 cgroups ("tasks" files opened at entry), so that it leaves nothing in the container's.</summary>
    public void Dispose()
    {
        var zero = (byte)'0';
        foreach (var home in _homes)
        {
            // A failure leaves the thread where it is until it ends, right after the spawn, which
            // takes it out of every cgroup anyway.
            _ = Libc.Write(home.Fd, &zero, 1);
            home.Dispose();
        }
        _homes.Clear();
        _cgroup2?.Dispose();
    }
}
