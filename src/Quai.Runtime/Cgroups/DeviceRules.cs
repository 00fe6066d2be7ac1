using Quai.Oci.Runtime;

namespace Quai.Runtime.Cgroups;

/// <summary>OCI device cgroup rules (config-linux.md#allowed-device-list) in the kernel's text form.</summary>
internal static class DeviceRules
{
    /// <summary>"c 1:3 rwm", "a *:* rwm": type (default a), major/minor (default *), access (default rwm), as devices.allow takes it (cgroup-v1/devices.rst).</summary>
    public static string Format(LinuxDeviceCgroup rule)
    {
        var type = string.IsNullOrEmpty(rule.Type) ? "a" : rule.Type;
        if (type is not ("a" or "b" or "c"))
        {
            throw new CgroupException($"invalid device rule type \"{rule.Type}\": use \"a\" (all), \"b\" (block) or \"c\" (char)");
        }
        var access = string.IsNullOrEmpty(rule.Access) ? "rwm" : rule.Access;
        if (access.Any(c => c is not ('r' or 'w' or 'm')) || access.Distinct().Count() != access.Length)
        {
            throw new CgroupException($"invalid device rule access \"{rule.Access}\": use a combination of r, w and m");
        }
        var major = rule.Major is { } ma and >= 0 ? V2Resources.Num(ma) : "*";
        var minor = rule.Minor is { } mi and >= 0 ? V2Resources.Num(mi) : "*";
        return $"{type} {major}:{minor} {access}";
    }

    /// <summary>True when the last rule matching everything is an allow of everything and no deny follows it.</summary>
    public static bool AllowsEverything(List<LinuxDeviceCgroup> rules)
    {
        var allowAll = false;
        foreach (var rule in rules)
        {
            var all = (string.IsNullOrEmpty(rule.Type) || rule.Type == "a") && rule.Major is null or < 0 && rule.Minor is null or < 0;
            var fullAccess = string.IsNullOrEmpty(rule.Access) || (rule.Access.Contains('r', StringComparison.Ordinal) && rule.Access.Contains('w', StringComparison.Ordinal) && rule.Access.Contains('m', StringComparison.Ordinal));
            if (rule.Allow && all && fullAccess)
            {
                allowAll = true;
            }
            else if (!rule.Allow)
            {
                allowAll = false;
            }
        }
        return allowAll;
    }
}
