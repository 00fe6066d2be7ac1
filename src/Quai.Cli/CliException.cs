namespace Quai.Cli;

/// <summary>
/// Ends a command with a message on stderr and an exit code (docker's cli.StatusError): e.g.
/// 125 when `run` fails before the container starts, 126/127 when its command cannot be run.
/// </summary>
public sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    /// <summary>The process exit code.</summary>
    public int ExitCode { get; } = exitCode;
}
