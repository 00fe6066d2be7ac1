using Quai.Oci.Runtime;

namespace Quai.Runtime.Cgroups;

internal sealed partial class V2Manager
{
    /// <summary>The v2 controllers Quai writes to; absence is only a debug note until a setting needs one.</summary>
    private static readonly string[] Known = ["cpu", "cpuset", "io", "memory", "pids", "hugetlb", "rdma"];

    /// <summary>Writes <paramref name="resources"/> into the cgroup; a limit for a controller the cgroup lacks is an error naming it.</summary>
    internal void Apply(LinuxResources resources)
    {
        var writes = V2Resources.Convert(resources, f => File.Exists(System.IO.Path.Combine(Directory, f)), environment.Logger);
        var available = Words(CgroupFiles.TryRead(Directory, "cgroup.controllers"));
        if (!hybrid)
        {
            foreach (var controller in Known.Where(c => !available.Contains(c)))
            {
                CgroupLog.ControllerSkipped(environment.Logger, controller);
            }
        }
        foreach (var w in writes)
        {
            if (w.Controller.Length > 0 && !available.Contains(w.Controller))
            {
                throw new CgroupException(
                    $"cannot set {w.File} = \"{w.Value}\": the {w.Controller} controller is not enabled for cgroup {Directory} " +
                    $"(cgroup.controllers: \"{string.Join(' ', available.Order())}\"); enable it in the parent's cgroup.subtree_control, or drop the setting");
            }
        }
        CheckBeforeUpdate(resources.Memory);
        foreach (var w in writes)
        {
            WriteFile(w.File, w.Value);
        }
        if (resources.Devices is { } devices)
        {
            ApplyDevices(devices);
        }
    }

    /// <summary>The controllers <paramref name="resources"/> needs, for enabling in a hybrid unified hierarchy.</summary>
    internal static HashSet<string> ControllersNeeded(LinuxResources? resources)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (resources is null)
        {
            return set;
        }
        if (resources.HugepageLimits is { Count: > 0 })
        {
            set.Add("hugetlb");
        }
        foreach (var key in resources.Unified?.Keys ?? Enumerable.Empty<string>())
        {
            var c = V2Resources.ControllerOfKey(key);
            if (c.Length > 0)
            {
                set.Add(c);
            }
        }
        return set;
    }

    /// <summary>OCI memory.checkBeforeUpdate: refuse a limit below current usage instead of OOM-killing the container.</summary>
    private void CheckBeforeUpdate(LinuxMemory? memory)
    {
        if (memory is not { CheckBeforeUpdate: true, Limit: > 0 })
        {
            return;
        }
        var current = CgroupFiles.ParseLimit(CgroupFiles.TryRead(Directory, "memory.current"));
        if (current is { } usage && usage > (ulong)memory.Limit.Value)
        {
            throw new CgroupException($"memory limit {memory.Limit.Value} is below the current usage {usage} of cgroup {Directory} (checkBeforeUpdate is set): raise the limit or free memory first");
        }
    }
}
