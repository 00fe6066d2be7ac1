using System.Text.Json.Serialization;

namespace Quai.Runtime.Store;

/// <summary>What the runtime remembers about one container, in ROOT/ID/state.json.</summary>
public sealed class ContainerRecord
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";

    /// <summary>Host pid of the container's init (0 until spawned).</summary>
    [JsonPropertyName("pid")] public int Pid { get; set; }

    /// <summary>Field 22 of /proc/PID/stat at create, to tell the init from a later process reusing its pid.</summary>
    [JsonPropertyName("initStartTime")] public ulong InitStartTime { get; set; }

    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("rootfs")] public string Rootfs { get; set; } = "";
    [JsonPropertyName("created")] public DateTimeOffset Created { get; set; }
    [JsonPropertyName("owner")] public string Owner { get; set; } = "";

    /// <summary>"creating" until the init reported ready, then "created"; the live status is derived (<see cref="StatusResolver"/>).</summary>
    [JsonPropertyName("phase")] public string Phase { get; set; } = Oci.Runtime.ContainerStatus.Creating;

    [JsonPropertyName("cgroupsPath")] public string? CgroupsPath { get; set; }

    /// <summary>
    /// The cgroup of every hierarchy (controller → path, "" for cgroup2), as create resolved them.
    /// A relative cgroupsPath resolves against the caller's own cgroup per hierarchy, which on a
    /// v1/hybrid host differs between hierarchies and between callers (create vs delete), so the
    /// later verbs reopen these paths instead of resolving again.
    /// </summary>
    [JsonPropertyName("cgroupPaths")] public Dictionary<string, string>? CgroupPaths { get; set; }
    [JsonPropertyName("systemdCgroup")] public bool SystemdCgroup { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }

    /// <summary>
    /// Whether config.json has poststart (or poststop) hooks, so that start and delete, which run
    /// only those, parse the config copy only when there are some (a docker config with its
    /// seccomp profile is most of the JSON they would read). Null in a state written before: parse.
    /// </summary>
    [JsonPropertyName("poststartHooks")] public bool? PoststartHooks { get; set; }

    /// <summary>See <see cref="PoststartHooks"/>.</summary>
    [JsonPropertyName("poststopHooks")] public bool? PoststopHooks { get; set; }
}
