using Quai.Oci.Runtime;

namespace Quai.Runtime.Cgroups;

internal sealed partial class V2Manager
{
    /// <summary>
    /// cgroup v2 has no devices.allow/deny files: device access is a BPF_CGROUP_DEVICE program
    /// attached to the cgroup (cgroup-v2.rst, "Device controller").
    /// </summary>
    private void ApplyDevices(List<LinuxDeviceCgroup> rules)
    {
        if (DeviceRules.AllowsEverything(rules))
        {
            return;
        }
        throw new CgroupException($"cannot apply {rules.Count} device rules to cgroup {Directory}: on cgroup v2 device rules need a BPF_CGROUP_DEVICE program, which this build of quai-runtime does not load");
    }
}
