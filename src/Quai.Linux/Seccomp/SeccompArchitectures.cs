using System.Collections.Frozen;

namespace Quai.Linux.Seccomp;

/// <summary>
/// The OCI spec's SCMP_ARCH_* names (config-linux.md#seccomp) and libseccomp's own names and
/// AUDIT_ARCH_* tokens (linux/audit.h: EM_* | 64-bit 0x80000000 | little-endian 0x40000000).
/// </summary>
public static class SeccompArchitectures
{
    private static readonly FrozenDictionary<string, (string LibName, uint Token)> Table = new Dictionary<string, (string, uint)>(StringComparer.Ordinal)
    {
        ["SCMP_ARCH_X86"] = ("x86", 0x40000003),
        ["SCMP_ARCH_X86_64"] = ("x86_64", 0xC000003E),
        ["SCMP_ARCH_X32"] = ("x32", 0x4000003E),
        ["SCMP_ARCH_ARM"] = ("arm", 0x40000028),
        ["SCMP_ARCH_AARCH64"] = ("aarch64", 0xC00000B7),
        ["SCMP_ARCH_MIPS"] = ("mips", 0x00000008),
        ["SCMP_ARCH_MIPS64"] = ("mips64", 0x80000008),
        ["SCMP_ARCH_MIPS64N32"] = ("mips64n32", 0xA0000008),
        ["SCMP_ARCH_MIPSEL"] = ("mipsel", 0x40000008),
        ["SCMP_ARCH_MIPSEL64"] = ("mipsel64", 0xC0000008),
        ["SCMP_ARCH_MIPSEL64N32"] = ("mipsel64n32", 0xE0000008),
        ["SCMP_ARCH_PPC"] = ("ppc", 0x00000014),
        ["SCMP_ARCH_PPC64"] = ("ppc64", 0x80000015),
        ["SCMP_ARCH_PPC64LE"] = ("ppc64le", 0xC0000015),
        ["SCMP_ARCH_S390"] = ("s390", 0x00000016),
        ["SCMP_ARCH_S390X"] = ("s390x", 0x80000016),
        ["SCMP_ARCH_PARISC"] = ("parisc", 0x0000000F),
        ["SCMP_ARCH_PARISC64"] = ("parisc64", 0x8000000F),
        ["SCMP_ARCH_RISCV64"] = ("riscv64", 0xC00000F3),
        ["SCMP_ARCH_LOONGARCH64"] = ("loongarch64", 0xC0000102),
        ["SCMP_ARCH_M68K"] = ("m68k", 0x00000004),
        ["SCMP_ARCH_SH"] = ("sh", 0x4000002A),
        ["SCMP_ARCH_SHEB"] = ("sheb", 0x0000002A),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Every SCMP_ARCH_* name the spec defines.</summary>
    public static IEnumerable<string> SpecNames => Table.Keys;

    /// <summary>The AUDIT_ARCH token and libseccomp's name for a spec name, or false when the spec does not define it.</summary>
    public static bool TryGet(string specName, out uint token, out string libseccompName)
    {
        if (Table.TryGetValue(specName, out var entry))
        {
            token = entry.Token;
            libseccompName = entry.LibName;
            return true;
        }
        token = 0;
        libseccompName = "";
        return false;
    }
}
