using Quai.Linux.Capabilities;
using Quai.Linux.Seccomp;
using Quai.Oci.Runtime;

namespace Quai.Runtime.Security;

/// <summary>
/// The security part of `quai-runtime features` (features.md of the runtime spec v1.2):
/// capabilities, seccomp, AppArmor and SELinux as this host and libseccomp support them.
/// </summary>
public static class SecurityFeatures
{
    /// <summary>Fills the capabilities, seccomp, apparmor and selinux members of <paramref name="linux"/>.</summary>
    public static void Fill(LinuxFeatures linux)
    {
        ArgumentNullException.ThrowIfNull(linux);
        linux.Capabilities = Capabilities();
        linux.Seccomp = Seccomp();
        linux.Apparmor = new EnabledFeature { Enabled = LabelSupport.AppArmorEnabled };
        linux.Selinux = new EnabledFeature { Enabled = LabelSupport.SelinuxEnabled };
    }

    /// <summary>Every capability name the running kernel knows (0..cap_last_cap).</summary>
    public static List<string> Capabilities() =>
        Enumerable.Range(0, Math.Min(CapabilityNames.LastCap, CapabilityNames.MaxKnown) + 1).Select(CapabilityNames.GetName).ToList();

    /// <summary>
    /// The seccomp vocabulary: every action and operator; the architectures libseccomp knows;
    /// the known flags, and those this libseccomp and kernel accept.
    /// </summary>
    public static SeccompFeatures Seccomp()
    {
        try
        {
            LibSeccomp.Preload();
        }
        catch (DllNotFoundException)
        {
            // Without libseccomp2 a config with linux.seccomp cannot run: say so, as runc does.
            return new SeccompFeatures { Enabled = false };
        }
        var archs = SeccompArchitectures.SpecNames
            .Where(n => SeccompArchitectures.TryGet(n, out _, out var lib) && LibSeccomp.SeccompArchResolveName(lib) != 0)
            .Order(StringComparer.Ordinal)
            .ToList();
        var supported = new List<string>();
        using (var probe = LibSeccomp.SeccompInit(SeccompActions.Allow))
        {
            foreach (var flag in SeccompMapping.FlagNames)
            {
                var (attribute, minimum) = SeccompMapping.ParseFlag(flag);
                // libseccomp refuses an attribute the kernel's seccomp API level lacks.
                if (LibSeccomp.LibraryVersion >= minimum && !probe.IsInvalid && LibSeccomp.SeccompAttrSet(probe, attribute, 1) == 0)
                {
                    supported.Add(flag);
                }
            }
        }
        return new SeccompFeatures
        {
            Enabled = true,
            Actions = [.. SeccompMapping.ActionNames],
            Operators = [.. SeccompMapping.OperatorNames],
            Archs = archs,
            KnownFlags = [.. SeccompMapping.FlagNames],
            SupportedFlags = supported,
        };
    }
}
