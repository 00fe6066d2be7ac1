using System.Collections;

namespace Quai.Api.Http;

/// <summary>
/// The query string's parameters: keys case-sensitive, several values per key, parsed like Go's
/// url.ParseQuery (the parser dockerd reads its parameters with): '&amp;'-separated, '+' is a space,
/// a pair with a bad escape or a ';' is skipped.
/// </summary>
public sealed class QueryCollection : IEnumerable<KeyValuePair<string, IReadOnlyList<string>>>
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    /// <summary>An empty query.</summary>
    public static QueryCollection Empty { get; } = new();

    /// <summary>The number of distinct keys.</summary>
    public int Count => _values.Count;

    /// <summary>The first value of a key, or null when absent (Go's Values.Get returns "" for both).</summary>
    public string? this[string key] => _values.TryGetValue(key, out var v) ? v[0] : null;

    /// <summary>Parses a raw query string (without the '?').</summary>
    public static QueryCollection Parse(ReadOnlySpan<char> query)
    {
        var result = new QueryCollection();
        while (!query.IsEmpty)
        {
            var amp = query.IndexOf('&');
            var pair = amp < 0 ? query : query[..amp];
            query = amp < 0 ? [] : query[(amp + 1)..];
            // Go 1.17+ rejects ';' as a separator: the pair is dropped, not split.
            if (pair.IsEmpty || pair.Contains(';'))
            {
                continue;
            }
            var eq = pair.IndexOf('=');
            var rawKey = eq < 0 ? pair : pair[..eq];
            var rawValue = eq < 0 ? [] : pair[(eq + 1)..];
            if (!PercentEncoding.TryDecode(rawKey, plusIsSpace: true, out var key)
                || !PercentEncoding.TryDecode(rawValue, plusIsSpace: true, out var value))
            {
                continue;
            }
            result.Add(key, value);
        }
        return result;
    }

    /// <summary>Every value of a key, in order.</summary>
    public IReadOnlyList<string> GetValues(string key) => _values.TryGetValue(key, out var v) ? v : [];

    /// <summary>Whether the key is present (even with an empty value).</summary>
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <summary>
    /// A boolean parameter as dockerd reads it (httputils.BoolValue): absent, "", "0", "no",
    /// "false" and "none" are false, anything else true.
    /// </summary>
    public bool GetBool(string key)
    {
        var s = this[key]?.Trim().ToLowerInvariant();
        return !(string.IsNullOrEmpty(s) || s is "0" or "no" or "false" or "none");
    }

    /// <summary>A boolean parameter, or <paramref name="defaultValue"/> when absent or empty (httputils.BoolValueOrDefault).</summary>
    public bool GetBool(string key, bool defaultValue) =>
        string.IsNullOrEmpty(this[key]) ? defaultValue : GetBool(key);

    internal void Add(string key, string value)
    {
        if (!_values.TryGetValue(key, out var list))
        {
            _values[key] = list = [];
        }
        list.Add(value);
    }

    public IEnumerator<KeyValuePair<string, IReadOnlyList<string>>> GetEnumerator()
    {
        foreach (var kv in _values)
        {
            yield return new(kv.Key, kv.Value);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
