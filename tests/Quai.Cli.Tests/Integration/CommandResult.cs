using System.Text.RegularExpressions;

namespace Quai.Cli.Tests.Integration;

/// <summary>What a CLI run printed and its exit code; <see cref="Normalized"/> masks ids and times for comparisons.</summary>
public sealed partial record CommandResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>stdout with 64- and 12-hex ids and relative times masked.</summary>
    public string Normalized => Mask(StdOut);

    /// <summary>Masks ids and "N seconds ago" style durations.</summary>
    public static string Mask(string s)
    {
        s = LongId().Replace(s, "<ID64>");
        s = ShortIdRegex().Replace(s, "<ID12>");
        s = Duration().Replace(s, "<DURATION>");
        return s;
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StdOut}--- stderr\n{StdErr}";

    [GeneratedRegex("\\b[0-9a-f]{64}\\b")]
    private static partial Regex LongId();

    [GeneratedRegex("\\b[0-9a-f]{12}\\b")]
    private static partial Regex ShortIdRegex();

    [GeneratedRegex("(Less than a second|About a minute|About an hour|\\d+ (seconds?|minutes|hours|days|weeks|months|years))")]
    private static partial Regex Duration();
}
