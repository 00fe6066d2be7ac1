using System.Text.Json.Serialization;

namespace Quai.Shim.Client;

/// <summary>The shim's answer to the state request.</summary>
public sealed record ShimState
{
    /// <summary>The container's (or exec process's) pid.</summary>
    public int Pid { get; init; }

    /// <summary>True until the process has exited.</summary>
    public bool Running { get; init; }

    /// <summary>The exit code once the process has exited, else null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int? ExitCode { get; init; }
}
