using Quai.Oci.Runtime;

namespace Quai.Runtime.Container;

/// <summary>
/// The device cgroup rules every container gets after the config's own (runc
/// libcontainer/specconv AllowedDevices): mknod of any device, the standard character devices,
/// /dev/pts/* and /dev/ptmx (needed for process.terminal), plus each device listed in
/// linux.devices (config-linux.md#devices: the runtime creates those and must let them be used).
/// </summary>
public static class DefaultDeviceRules
{
    private static readonly (string Type, long? Major, long? Minor, string Access)[] Allowed =
    [
        ("c", null, null, "m"),
        ("b", null, null, "m"),
        ("c", 1, 3, "rwm"),   // /dev/null
        ("c", 1, 8, "rwm"),   // /dev/random
        ("c", 1, 7, "rwm"),   // /dev/full
        ("c", 5, 0, "rwm"),   // /dev/tty
        ("c", 1, 5, "rwm"),   // /dev/zero
        ("c", 1, 9, "rwm"),   // /dev/urandom
        ("c", 136, null, "rwm"), // /dev/pts/*
        ("c", 5, 2, "rwm"),   // /dev/ptmx
    ];

    /// <summary>The config's resources with the default rules appended (a new object; the spec is not changed).</summary>
    public static LinuxResources? WithDefaults(Spec spec)
    {
        var resources = spec.Linux?.Resources;
        if (resources?.Devices is not { Count: > 0 } rules)
        {
            // No device rules: the cgroup keeps allowing every device, as the config asks.
            return resources;
        }
        var copy = new List<LinuxDeviceCgroup>(rules);
        // A fifo ("p") is not a device the device cgroup controls (cgroup-v1/devices.rst): no rule.
        foreach (var d in (spec.Linux?.Devices ?? []).Where(d => d.Type != "p"))
        {
            copy.Add(new LinuxDeviceCgroup { Allow = true, Type = d.Type == "u" ? "c" : d.Type, Major = d.Major, Minor = d.Minor, Access = "rwm" });
        }
        foreach (var (type, major, minor, access) in Allowed)
        {
            copy.Add(new LinuxDeviceCgroup { Allow = true, Type = type, Major = major, Minor = minor, Access = access });
        }
        return new LinuxResources
        {
            Devices = copy,
            Memory = resources.Memory,
            Cpu = resources.Cpu,
            Pids = resources.Pids,
            BlockIo = resources.BlockIo,
            HugepageLimits = resources.HugepageLimits,
            Network = resources.Network,
            Rdma = resources.Rdma,
            Unified = resources.Unified,
        };
    }
}
