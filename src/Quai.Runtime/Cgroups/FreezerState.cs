namespace Quai.Runtime.Cgroups;

/// <summary>Whether the processes of a cgroup are frozen (v1 freezer.state, v2 cgroup.freeze).</summary>
public enum FreezerState
{
    /// <summary>The processes run (v1 THAWED, or FREEZING that has not completed).</summary>
    Thawed,

    /// <summary>Every process of the cgroup is stopped (v1 FROZEN, v2 "frozen 1" in cgroup.events).</summary>
    Frozen,
}
