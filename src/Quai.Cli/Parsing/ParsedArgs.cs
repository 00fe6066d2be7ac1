using System.Globalization;

namespace Quai.Cli.Parsing;

/// <summary>The result of parsing a command line: flag values by long name and the positional arguments.</summary>
public sealed class ParsedArgs
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    /// <summary>Positional arguments in order (after `--`, everything).</summary>
    public List<string> Args { get; } = [];

    internal void Add(string name, string value)
    {
        if (!_values.TryGetValue(name, out var list))
        {
            _values[name] = list = [];
        }
        list.Add(value);
    }

    /// <summary>Whether the flag was given at all.</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>A boolean flag's value (false when absent).</summary>
    public bool Bool(string name) =>
        _values.TryGetValue(name, out var v) && v[^1] is "true" or "1" or "t" or "T" or "TRUE" or "True";

    /// <summary>A single-valued flag's last value, or <paramref name="fallback"/>.</summary>
    public string? Str(string name, string? fallback = null) =>
        _values.TryGetValue(name, out var v) ? v[^1] : fallback;

    /// <summary>Every value of a repeatable flag (empty when absent).</summary>
    public IReadOnlyList<string> List(string name) =>
        _values.TryGetValue(name, out var v) ? v : [];

    /// <summary>An integer flag, or <paramref name="fallback"/>; a non-number is a usage error as in pflag.</summary>
    public long Int(string name, long fallback)
    {
        var s = Str(name);
        if (s is null)
        {
            return fallback;
        }
        if (!long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
        {
            throw new UsageException($"invalid argument \"{s}\" for \"--{name}\" flag: strconv.ParseInt: parsing \"{s}\": invalid syntax");
        }
        return n;
    }
}
