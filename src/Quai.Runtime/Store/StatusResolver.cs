using Quai.Oci.Runtime;

namespace Quai.Runtime.Store;

/// <summary>Derives a container's status (runtime.md#state) from what can be observed.</summary>
public static class StatusResolver
{
    /// <summary>
    /// The status: "stopped" once the init (same pid and start time) is gone; while it lives,
    /// "creating" until it reported ready, "created" while the exec fifo exists (start not yet
    /// called), "paused" when the cgroup is frozen, otherwise "running".
    /// </summary>
    public static string Resolve(string phase, bool initAlive, bool execFifoExists, bool frozen)
    {
        if (!initAlive)
        {
            return ContainerStatus.Stopped;
        }
        if (phase == ContainerStatus.Creating)
        {
            return ContainerStatus.Creating;
        }
        if (execFifoExists)
        {
            return ContainerStatus.Created;
        }
        return frozen ? ContainerStatus.Paused : ContainerStatus.Running;
    }
}
