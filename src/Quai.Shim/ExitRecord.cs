using System.Text.Json.Serialization;

namespace Quai.Shim;

/// <summary>
/// exit.json and the wait reply on the wire: exitCode is 128+signal when a signal killed the
/// process (docker's convention); finishedAt is RFC 3339 with nanoseconds, UTC.
/// </summary>
public sealed record ExitRecord
{
    /// <summary>The exit code, or 128 + the signal.</summary>
    public int ExitCode { get; init; }

    /// <summary>The signal that killed the process, or null (written as null, not left out).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int? Signal { get; init; }

    /// <summary>When the process was reaped, e.g. 2026-11-23T18:00:00.123456789Z.</summary>
    public string FinishedAt { get; init; } = "";

    /// <summary>True when the container's memory cgroup recorded an OOM kill.</summary>
    public bool OomKilled { get; init; }
}
