namespace Quai.Api.Docker;

/// <summary>What /version and /info report about the daemon itself.</summary>
public sealed class DaemonInfo
{
    /// <summary>Quai's version.</summary>
    public string Version { get; init; } = "0.1.0";

    /// <summary>Git commit of the build, when known.</summary>
    public string GitCommit { get; init; } = "";

    /// <summary>The daemon's stable ID (persisted in the data root).</summary>
    public string Id { get; init; } = "";

    /// <summary>Where the daemon listens.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>Daemon configuration warnings shown by `docker info`.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
