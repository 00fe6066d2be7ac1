namespace Quai.Cli.Parsing;

/// <summary>
/// Parses arguments with pflag's rules, as docker's cobra commands do: `--name=value`,
/// `--name value`, clustered shorthands (`-it`), an attached shorthand value (`-p80:80`,
/// `-e=A=B`), `--` ends flags, and optionally stop at the first positional so that
/// `run IMAGE CMD -flags` leaves CMD's flags alone (cobra's SetInterspersed(false)).
/// </summary>
public static class FlagParser
{
    /// <summary>Parses <paramref name="args"/> against <paramref name="flags"/>.</summary>
    /// <exception cref="UsageException">Unknown flag, or a flag missing its value.</exception>
    public static ParsedArgs Parse(IReadOnlyList<string> args, IReadOnlyList<Flag> flags, bool interspersed = true)
    {
        var result = new ParsedArgs();
        var i = 0;
        while (i < args.Count)
        {
            var a = args[i++];
            if (a == "--")
            {
                result.Args.AddRange(args.Skip(i));
                break;
            }
            if (a.Length < 2 || a[0] != '-')
            {
                result.Args.Add(a);
                if (!interspersed)
                {
                    result.Args.AddRange(args.Skip(i));
                    break;
                }
                continue;
            }
            if (a[1] == '-')
            {
                var body = a[2..];
                var eq = body.IndexOf('=', StringComparison.Ordinal);
                var name = eq < 0 ? body : body[..eq];
                var flag = flags.FirstOrDefault(f => f.Name == name)
                    ?? throw new UsageException($"unknown flag: --{name}");
                if (eq >= 0)
                {
                    result.Add(flag.Name, body[(eq + 1)..]);
                }
                else if (flag.Kind == FlagKind.Bool)
                {
                    result.Add(flag.Name, "true");
                }
                else if (i < args.Count)
                {
                    result.Add(flag.Name, args[i++]);
                }
                else
                {
                    throw new UsageException($"flag needs an argument: --{name}");
                }
                continue;
            }
            // Shorthand cluster: each letter is a flag until one that takes a value, which
            // consumes the rest of the word (or the next argument).
            for (var j = 1; j < a.Length; j++)
            {
                var c = a[j];
                var flag = flags.FirstOrDefault(f => f.Short == c)
                    ?? throw new UsageException($"unknown shorthand flag: '{c}' in {a}");
                var rest = a[(j + 1)..];
                if (flag.Kind == FlagKind.Bool)
                {
                    if (rest.StartsWith('='))
                    {
                        result.Add(flag.Name, rest[1..]);
                        break;
                    }
                    result.Add(flag.Name, "true");
                    continue;
                }
                if (rest.Length > 0)
                {
                    result.Add(flag.Name, rest.StartsWith('=') ? rest[1..] : rest);
                }
                else if (i < args.Count)
                {
                    result.Add(flag.Name, args[i++]);
                }
                else
                {
                    throw new UsageException($"flag needs an argument: '{c}' in -{c}");
                }
                break;
            }
        }
        return result;
    }
}
