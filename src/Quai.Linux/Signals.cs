using System.Globalization;

namespace Quai.Linux;

/// <summary>Linux signal numbers by name (signal(7), x86_64/arm64 numbering).</summary>
public static class Signals
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGCHLD = 17;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;
    public const int SIGWINCH = 28;

    private static readonly string[] Names =
    [
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
        "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ",
        "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ];

    /// <summary>
    /// Parses "TERM", "SIGTERM", "sigterm", "15", "RTMIN+3" or "SIGIOT"/"SIGPOLL" aliases; null when unknown.
    /// </summary>
    public static int? Parse(string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return n is > 0 and <= 64 ? n : null;
        }
        var name = text.ToUpperInvariant();
        if (name.StartsWith("SIG", StringComparison.Ordinal))
        {
            name = name[3..];
        }
        switch (name)
        {
            case "IOT": return 6;
            case "POLL": return 29;
            case "CLD": return SIGCHLD;
            case "RTMIN": return 34;
            case "RTMAX": return 64;
        }
        if (name.StartsWith("RTMIN+", StringComparison.Ordinal) && int.TryParse(name[6..], NumberStyles.None, CultureInfo.InvariantCulture, out var plus) && plus <= 30)
        {
            return 34 + plus;
        }
        if (name.StartsWith("RTMAX-", StringComparison.Ordinal) && int.TryParse(name[6..], NumberStyles.None, CultureInfo.InvariantCulture, out var minus) && minus <= 30)
        {
            return 64 - minus;
        }
        var i = Array.IndexOf(Names, name);
        return i > 0 ? i : null;
    }
}
