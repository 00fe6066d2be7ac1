using Quai.Cli.Parsing;

namespace Quai.Cli;

/// <summary>One verb: its usage line, description, flags, argument count and handler.</summary>
/// <param name="Path">Words after the program name (`container ls`).</param>
/// <param name="Usage">Arguments part of the usage line (`[OPTIONS] CONTAINER [CONTAINER...]`).</param>
/// <param name="Description">One-line description, as in docker's help.</param>
/// <param name="Flags">Accepted flags.</param>
/// <param name="Run">The handler; returns the exit code.</param>
public sealed record Command(string Path, string Usage, string Description, Flag[] Flags, Func<CliContext, ParsedArgs, Task<int>> Run)
{
    /// <summary>Other full paths reaching this command (`ps` for `container ls`).</summary>
    public string[] Aliases { get; init; } = [];

    /// <summary>False for run/create/exec: flags end at the first positional (the image or container).</summary>
    public bool Interspersed { get; init; } = true;

    /// <summary>Fewest positional arguments.</summary>
    public int MinArgs { get; init; }

    /// <summary>Most positional arguments.</summary>
    public int MaxArgs { get; init; } = int.MaxValue;
}
