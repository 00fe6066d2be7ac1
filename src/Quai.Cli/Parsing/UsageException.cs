namespace Quai.Cli.Parsing;

/// <summary>A command-line mistake (unknown flag, missing value, wrong argument count): docker exits 125 or 1.</summary>
public sealed class UsageException(string message, bool showUsage = true) : Exception(message)
{
    /// <summary>Whether the command's "Usage:" line follows the message (cobra does for flag errors).</summary>
    public bool ShowUsage { get; } = showUsage;
}
