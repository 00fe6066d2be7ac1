namespace Quai.Runtime.Cli;

/// <summary>One command-line flag: its long name, optional one-letter alias, whether it takes a value, whether it repeats.</summary>
public sealed record FlagSpec(string Name, char? Short = null, bool TakesValue = false, bool Repeatable = false, string? Alias = null);
