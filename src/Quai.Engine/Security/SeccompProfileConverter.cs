using System.Runtime.InteropServices;
using Quai.Oci.Runtime;

namespace Quai.Engine.Security;

/// <summary>
/// Resolves a docker-format <see cref="SeccompProfile"/> into the OCI linux.seccomp of one
/// container (config-linux.md#seccomp), as moby does when it builds a spec: the archMap entry of
/// the native architecture gives the architecture list, and each rule is kept only when its
/// includes hold (every listed capability held, the native architecture listed, the kernel at
/// least minKernel) and its excludes do not (no listed capability held, the native architecture
/// not listed).
/// </summary>
public static class SeccompProfileConverter
{
    /// <summary>The OCI seccomp section for a process holding <paramref name="capabilities"/>.</summary>
    /// <param name="profile">The profile.</param>
    /// <param name="capabilities">The process's bounding set (CAP_* names).</param>
    /// <param name="goArch">The platform in Go's naming (amd64, arm64 …); null: this machine's.</param>
    /// <param name="kernel">The kernel version; null: this machine's.</param>
    public static LinuxSeccomp ToOci(SeccompProfile profile, IReadOnlyCollection<string> capabilities, string? goArch = null, Version? kernel = null)
    {
        goArch ??= HostGoArch();
        kernel ??= HostKernel();
        if (profile.Architectures is { Count: > 0 } && profile.ArchMap is { Count: > 0 })
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, "seccomp profile: 'architectures' and 'archMap' were both given: use one of them");
        }
        if (string.IsNullOrEmpty(profile.DefaultAction))
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, "seccomp profile: 'defaultAction' is missing (e.g. \"SCMP_ACT_ERRNO\")");
        }
        var architectures = profile.Architectures is { Count: > 0 } list ? [.. list] : new List<string>();
        var native = NativeSeccompArch(goArch);
        foreach (var entry in profile.ArchMap ?? [])
        {
            if (entry.Architecture == native)
            {
                architectures.Add(entry.Architecture);
                architectures.AddRange(entry.SubArchitectures ?? []);
            }
        }
        var caps = capabilities.ToHashSet(StringComparer.Ordinal);
        var syscalls = new List<LinuxSyscall>();
        foreach (var rule in profile.Syscalls ?? [])
        {
            if (!string.IsNullOrEmpty(rule.Name) && rule.Names is { Count: > 0 })
            {
                throw new EngineException(EngineErrorKind.InvalidArgument, $"seccomp profile: a rule has both 'name' ({rule.Name}) and 'names': use 'names'");
            }
            if (!Applies(rule, caps, goArch, kernel))
            {
                continue;
            }
            syscalls.Add(new LinuxSyscall
            {
                Names = !string.IsNullOrEmpty(rule.Name) ? [rule.Name] : [.. rule.Names ?? []],
                Action = rule.Action,
                ErrnoRet = rule.ErrnoRet,
                Args = rule.Args is { Count: > 0 } args ? [.. args.Select(a => new LinuxSeccompArg { Index = a.Index, Value = a.Value, ValueTwo = a.ValueTwo, Op = a.Op })] : null,
            });
        }
        return new LinuxSeccomp
        {
            DefaultAction = profile.DefaultAction,
            DefaultErrnoRet = profile.DefaultErrnoRet,
            Architectures = architectures.Count > 0 ? architectures : null,
            Flags = profile.Flags is { Count: > 0 } flags ? [.. flags] : null,
            ListenerPath = profile.ListenerPath,
            ListenerMetadata = profile.ListenerMetadata,
            Syscalls = syscalls,
        };
    }

    private static bool Applies(SeccompRule rule, HashSet<string> caps, string goArch, Version kernel)
    {
        if (rule.Includes is { } inc)
        {
            if (inc.Arches is { Count: > 0 } arches && !arches.Contains(goArch))
            {
                return false;
            }
            if (inc.Caps is { Count: > 0 } needed && !needed.All(caps.Contains))
            {
                return false;
            }
            if (!string.IsNullOrEmpty(inc.MinKernel) && kernel < ParseKernel(inc.MinKernel))
            {
                return false;
            }
        }
        if (rule.Excludes is { } exc)
        {
            if (exc.Arches is { Count: > 0 } arches && arches.Contains(goArch))
            {
                return false;
            }
            if (exc.Caps is { Count: > 0 } held && held.Any(caps.Contains))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>SCMP_ARCH_* of a Go architecture name.</summary>
    public static string NativeSeccompArch(string goArch) => goArch switch
    {
        "amd64" => "SCMP_ARCH_X86_64",
        "386" or "x86" => "SCMP_ARCH_X86",
        "arm64" => "SCMP_ARCH_AARCH64",
        "arm" => "SCMP_ARCH_ARM",
        "s390x" => "SCMP_ARCH_S390X",
        "riscv64" => "SCMP_ARCH_RISCV64",
        "ppc64le" => "SCMP_ARCH_PPC64LE",
        _ => "SCMP_ARCH_" + goArch.ToUpperInvariant(),
    };

    private static string HostGoArch() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.X86 => "386",
        Architecture.Arm64 => "arm64",
        Architecture.Arm => "arm",
        Architecture.S390x => "s390x",
        Architecture.RiscV64 => "riscv64",
        Architecture.Ppc64le => "ppc64le",
        var a => a.ToString().ToLowerInvariant(),
    };

    private static Version? _hostKernel;

    private static Version HostKernel() => _hostKernel ??= ParseKernel(File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease") : "0.0");

    /// <summary>"6.1.0-27-amd64" → 6.1.</summary>
    internal static Version ParseKernel(string release)
    {
        var parts = release.Trim().Split('.', '-');
        var major = parts.Length > 0 && int.TryParse(parts[0], out var m) ? m : 0;
        var minor = parts.Length > 1 && int.TryParse(parts[1], out var n) ? n : 0;
        return new Version(major, minor);
    }
}
