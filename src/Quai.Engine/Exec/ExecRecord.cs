using Quai.Api.Models;

namespace Quai.Engine.Exec;

/// <summary>An exec instance (docker exec): created, then started once.</summary>
public sealed class ExecRecord
{
    /// <summary>64 hex characters.</summary>
    public required string Id { get; init; }

    /// <summary>The container it runs in.</summary>
    public required string ContainerId { get; init; }

    /// <summary>What was asked for.</summary>
    public required ExecConfig Config { get; init; }

    /// <summary>Whether the process runs now.</summary>
    public bool Running { get; set; }

    /// <summary>Whether start was called.</summary>
    public bool Started { get; set; }

    /// <summary>Exit code once finished.</summary>
    public int? ExitCode { get; set; }

    /// <summary>Host pid while running.</summary>
    public int Pid { get; set; }

    /// <summary>The shim's state directory.</summary>
    public string StateDir { get; set; } = "";

    /// <summary>Completes with the exit code.</summary>
    public TaskCompletionSource<int> Exited { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
