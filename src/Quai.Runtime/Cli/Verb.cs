namespace Quai.Runtime.Cli;

/// <summary>One verb of the command line: its flags, usage text, argument count and handler.</summary>
public sealed record Verb(string Name, string Usage, string Summary, IReadOnlyList<FlagSpec> Flags, int MinArgs, int MaxArgs, Func<CliContext, ParsedArgs, int> Run);
