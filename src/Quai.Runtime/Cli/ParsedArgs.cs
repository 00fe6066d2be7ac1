using System.Globalization;

namespace Quai.Runtime.Cli;

/// <summary>The flags and positional arguments of one command line (or of one verb).</summary>
public sealed class ParsedArgs
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    /// <summary>Arguments that are not flags, in order; after the first one nothing is parsed as a flag.</summary>
    public List<string> Positionals { get; } = [];

    /// <summary>Records a flag occurrence (a boolean flag records "true" or its explicit value).</summary>
    public void Add(string name, string value)
    {
        if (!_values.TryGetValue(name, out var list))
        {
            _values[name] = list = [];
        }
        list.Add(value);
    }

    /// <summary>True when a boolean flag is set (and not set to false).</summary>
    public bool Has(string name) => _values.TryGetValue(name, out var v) && v[^1] is not ("false" or "0");

    /// <summary>The last value of a flag, or null.</summary>
    public string? Get(string name) => _values.TryGetValue(name, out var v) ? v[^1] : null;

    /// <summary>Every value of a repeatable flag.</summary>
    public IReadOnlyList<string> GetAll(string name) => _values.TryGetValue(name, out var v) ? v : [];

    /// <summary>An integer flag, or <paramref name="fallback"/>; a bad number is an error naming the flag.</summary>
    public int GetInt(string name, int fallback) =>
        Get(name) is not { } text ? fallback
        : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n
        : throw new RuntimeException($"invalid value \"{text}\" for flag --{name}: expected an integer");

    /// <summary>A long integer flag, or null.</summary>
    public long? GetLong(string name) =>
        Get(name) is not { } text ? null
        : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n
        : throw new RuntimeException($"invalid value \"{text}\" for flag --{name}: expected an integer");
}
