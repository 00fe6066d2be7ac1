namespace Quai.Runtime.Security;

/// <summary>
/// process.apparmorProfile and process.selinuxLabel (config.md#linux-process). Applied on the
/// exec'ing thread before execve: the kernel moves the process into the label at execve.
/// </summary>
public static class LabelSupport
{
    /// <summary>Where the kernel exposes AppArmor when it is enabled.</summary>
    public const string AppArmorPath = "/sys/kernel/security/apparmor";

    /// <summary>Where the kernel exposes SELinux when it is enabled.</summary>
    public const string SelinuxPath = "/sys/fs/selinux";

    /// <summary>The AppArmor module's switch, in sysfs, which containers see too (runc reads it as well).</summary>
    public const string AppArmorModuleSwitch = "/sys/module/apparmor/parameters/enabled";

    /// <summary>
    /// True when AppArmor is enabled on this host. Read it before pivot_root: securityfs and
    /// selinuxfs are usually not mounted inside a container.
    /// </summary>
    public static bool AppArmorEnabled =>
        Directory.Exists(AppArmorPath) || (File.Exists(AppArmorModuleSwitch) && File.ReadAllText(AppArmorModuleSwitch).StartsWith('Y'));

    /// <summary>True when SELinux is enabled on this host (read it before pivot_root).</summary>
    public static bool SelinuxEnabled => Directory.Exists(SelinuxPath) && File.Exists(Path.Combine(SelinuxPath, "enforce"));

    /// <summary>
    /// Sets the exec labels. Returns warning texts to print for each label the host cannot
    /// apply (no AppArmor or SELinux), and continues, as runc does when the LSM is disabled.
    /// </summary>
    public static IReadOnlyList<string> Apply(string? apparmorProfile, string? selinuxLabel) =>
        Apply(apparmorProfile, selinuxLabel, AppArmorEnabled, SelinuxEnabled);

    /// <summary>
    /// As <see cref="Apply(string?, string?)"/>, with the host's LSMs given: a label for an LSM
    /// that is off becomes a warning; one for an LSM that is on is written to the thread's
    /// exec attribute.
    /// </summary>
    public static IReadOnlyList<string> Apply(string? apparmorProfile, string? selinuxLabel, bool appArmorEnabled, bool selinuxEnabled)
    {
        var warnings = new List<string>();
        if (!string.IsNullOrEmpty(apparmorProfile))
        {
            if (appArmorEnabled)
            {
                // Linux 5.8+ has the per-LSM directory; older kernels only attr/exec.
                var target = File.Exists("/proc/thread-self/attr/apparmor/exec") ? "/proc/thread-self/attr/apparmor/exec" : "/proc/thread-self/attr/exec";
                WriteAttr(target, "exec " + apparmorProfile, $"AppArmor profile {apparmorProfile}");
            }
            else
            {
                warnings.Add($"process.apparmorProfile \"{apparmorProfile}\" ignored: AppArmor is not enabled on this host ({AppArmorPath} is missing)");
            }
        }
        if (!string.IsNullOrEmpty(selinuxLabel))
        {
            if (selinuxEnabled)
            {
                WriteAttr("/proc/thread-self/attr/exec", selinuxLabel, $"SELinux label {selinuxLabel}");
            }
            else
            {
                warnings.Add($"process.selinuxLabel \"{selinuxLabel}\" ignored: SELinux is not enabled on this host ({SelinuxPath} is missing)");
            }
        }
        return warnings;
    }

    private static void WriteAttr(string path, string value, string what)
    {
        try
        {
            File.WriteAllText(path, value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot set the {what} through {path}: {e.Message}; check that it is loaded on the host", e);
        }
    }
}
