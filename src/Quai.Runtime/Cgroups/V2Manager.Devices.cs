using Quai.Oci.Runtime;

namespace Quai.Runtime.Cgroups;

internal sealed partial class V2Manager
{
    /// <summary>
    /// cgroup v2 has no devices.allow/deny files: device access is a BPF_CGROUP_DEVICE program
    /// attached to the cgroup (cgroup-v2.rst, "Device controller"). A rule list that allows
    /// everything needs no program; an earlier one is then detached by attaching an allow-all.
    /// </summary>
    private void ApplyDevices(List<LinuxDeviceCgroup> rules)
    {
        var program = DeviceFilter.Compile(rules);
        DeviceFilter.Attach(Directory, program);
        CgroupLog.Wrote(environment.Logger, Directory + " (BPF_CGROUP_DEVICE)", $"{rules.Count} rules, {program.Length} instructions");
    }
}
