namespace Quai.Runtime.Cli;

/// <summary>
/// A small table-driven parser for runc's command line (urfave/cli over Go's flag package):
/// `--flag value`, `--flag=value`, `-flag value` (Go accepts one dash for long names), `-f`,
/// boolean flags with an optional `=true|false`, `--` to end flags. Parsing stops at the first
/// positional argument, so `exec ID sh -c …` keeps the command's own flags.
/// </summary>
public static class ArgParser
{
    /// <summary>Parses <paramref name="args"/> from <paramref name="start"/> against <paramref name="flags"/>.</summary>
    public static ParsedArgs Parse(IReadOnlyList<string> args, IReadOnlyList<FlagSpec> flags, int start = 0)
    {
        var result = new ParsedArgs();
        var i = start;
        while (i < args.Count)
        {
            var arg = args[i];
            if (arg == "--")
            {
                i++;
                break;
            }
            if (arg.Length < 2 || arg[0] != '-')
            {
                break;
            }
            var body = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg[1..];
            string? inline = null;
            var eq = body.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                inline = body[(eq + 1)..];
                body = body[..eq];
            }
            var flag = Find(flags, body) ?? throw new RuntimeException($"flag provided but not defined: {arg.Split('=')[0]} (see --help)");
            if (flag.TakesValue)
            {
                if (inline is null)
                {
                    if (i + 1 >= args.Count)
                    {
                        throw new RuntimeException($"flag needs an argument: --{flag.Name}");
                    }
                    inline = args[++i];
                }
                result.Add(flag.Name, inline);
            }
            else
            {
                result.Add(flag.Name, inline is null ? "true" : ParseBool(inline, flag.Name));
            }
            i++;
        }
        for (; i < args.Count; i++)
        {
            result.Positionals.Add(args[i]);
        }
        return result;
    }

    private static FlagSpec? Find(IReadOnlyList<FlagSpec> flags, string name)
    {
        foreach (var f in flags)
        {
            if (f.Name == name || f.Alias == name || (name.Length == 1 && f.Short == name[0]))
            {
                return f;
            }
        }
        return null;
    }

    private static string ParseBool(string value, string name) => value.ToUpperInvariant() switch
    {
        "TRUE" or "1" or "T" => "true",
        "FALSE" or "0" or "F" => "false",
        _ => throw new RuntimeException($"invalid boolean value \"{value}\" for flag --{name}"),
    };
}
