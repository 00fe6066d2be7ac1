using System.Text.Json.Serialization;

namespace Quai.Engine.Security;

/// <summary>
/// A seccomp profile in docker's format (`--security-opt seccomp=profile.json`; moby's
/// profiles/seccomp types): like the OCI linux.seccomp, plus an architecture map and per-rule
/// conditions on capabilities, architectures and kernel version that
/// <see cref="SeccompProfileConverter"/> resolves for one container.
/// </summary>
public sealed class SeccompProfile
{
    /// <summary>SCMP_ACT_* for a syscall no rule names.</summary>
    [JsonPropertyName("defaultAction")] public string DefaultAction { get; set; } = "";

    /// <summary>The errno of an SCMP_ACT_ERRNO default action (EPERM when absent).</summary>
    [JsonPropertyName("defaultErrnoRet")] public uint? DefaultErrnoRet { get; set; }

    /// <summary>Plain architecture list (older profiles).</summary>
    [JsonPropertyName("architectures")] public List<string>? Architectures { get; set; }

    /// <summary>Native architecture → the sub-architectures its binaries may also use.</summary>
    [JsonPropertyName("archMap")] public List<SeccompArchMap>? ArchMap { get; set; }

    /// <summary>SECCOMP_FILTER_FLAG_* names.</summary>
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }

    /// <summary>The notify listener socket, as in OCI.</summary>
    [JsonPropertyName("listenerPath")] public string? ListenerPath { get; set; }

    /// <summary>Opaque data for the listener.</summary>
    [JsonPropertyName("listenerMetadata")] public string? ListenerMetadata { get; set; }

    /// <summary>The rules.</summary>
    [JsonPropertyName("syscalls")] public List<SeccompRule>? Syscalls { get; set; }
}

/// <summary>One archMap entry.</summary>
public sealed class SeccompArchMap
{
    /// <summary>SCMP_ARCH_* of the native architecture.</summary>
    [JsonPropertyName("architecture")] public string Architecture { get; set; } = "";

    /// <summary>SCMP_ARCH_* also allowed with it.</summary>
    [JsonPropertyName("subArchitectures")] public List<string>? SubArchitectures { get; set; }
}

/// <summary>One rule: names, action, arguments, and when it applies.</summary>
public sealed class SeccompRule
{
    /// <summary>Syscall names.</summary>
    [JsonPropertyName("names")] public List<string>? Names { get; set; }

    /// <summary>A single syscall name (older profiles).</summary>
    [JsonPropertyName("name")] public string? Name { get; set; }

    /// <summary>SCMP_ACT_*.</summary>
    [JsonPropertyName("action")] public string Action { get; set; } = "";

    /// <summary>The errno of an SCMP_ACT_ERRNO action.</summary>
    [JsonPropertyName("errnoRet")] public uint? ErrnoRet { get; set; }

    /// <summary>Argument comparisons (all must hold).</summary>
    [JsonPropertyName("args")] public List<SeccompRuleArg>? Args { get; set; }

    /// <summary>Free text.</summary>
    [JsonPropertyName("comment")] public string? Comment { get; set; }

    /// <summary>The rule applies only when all of these hold.</summary>
    [JsonPropertyName("includes")] public SeccompFilter? Includes { get; set; }

    /// <summary>The rule applies only when none of these hold.</summary>
    [JsonPropertyName("excludes")] public SeccompFilter? Excludes { get; set; }
}

/// <summary>An argument comparison (OCI LinuxSeccompArg).</summary>
public sealed class SeccompRuleArg
{
    /// <summary>Argument index, 0–5.</summary>
    [JsonPropertyName("index")] public uint Index { get; set; }

    /// <summary>The value compared with.</summary>
    [JsonPropertyName("value")] public ulong Value { get; set; }

    /// <summary>The second value (SCMP_CMP_MASKED_EQ's expected value).</summary>
    [JsonPropertyName("valueTwo")] public ulong ValueTwo { get; set; }

    /// <summary>SCMP_CMP_*.</summary>
    [JsonPropertyName("op")] public string Op { get; set; } = "";
}

/// <summary>Conditions of a rule (moby's seccomp.Filter).</summary>
public sealed class SeccompFilter
{
    /// <summary>Go architecture names (amd64, arm64, x86 …) of the daemon's platform.</summary>
    [JsonPropertyName("arches")] public List<string>? Arches { get; set; }

    /// <summary>Capabilities (CAP_*) the container's process holds.</summary>
    [JsonPropertyName("caps")] public List<string>? Caps { get; set; }

    /// <summary>The lowest kernel version ("4.8") the rule is for.</summary>
    [JsonPropertyName("minKernel")] public string? MinKernel { get; set; }
}

/// <summary>Source-generated JSON for user-supplied profiles.</summary>
[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(SeccompProfile))]
internal sealed partial class SeccompJsonContext : JsonSerializerContext;
