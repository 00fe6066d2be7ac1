using System.Collections;

namespace Quai.Api.Http;

/// <summary>
/// HTTP header fields: names compared case-insensitively (RFC 9110 §5.1), several values per name,
/// order of arrival kept.
/// </summary>
public sealed class HttpHeaders : IEnumerable<KeyValuePair<string, string>>
{
    private readonly List<KeyValuePair<string, string>> _fields = [];

    /// <summary>The number of header lines.</summary>
    public int Count => _fields.Count;

    /// <summary>The first value of a header, or null; setting replaces every value (null removes).</summary>
    public string? this[string name]
    {
        get
        {
            foreach (var f in _fields)
            {
                if (string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return f.Value;
                }
            }
            return null;
        }
        set
        {
            Remove(name);
            if (value is not null)
            {
                Add(name, value);
            }
        }
    }

    /// <summary>Adds one more value for a header.</summary>
    public void Add(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        _fields.Add(new(name, value));
    }

    /// <summary>Every value of a header, in order (a comma-separated line counts as one value).</summary>
    public IReadOnlyList<string> GetValues(string name)
    {
        List<string>? values = null;
        foreach (var f in _fields)
        {
            if (string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                (values ??= []).Add(f.Value);
            }
        }
        return values ?? (IReadOnlyList<string>)[];
    }

    /// <summary>Whether the header is present.</summary>
    public bool Contains(string name) => this[name] is not null;

    /// <summary>Removes every value of a header; true if there was one.</summary>
    public bool Remove(string name) =>
        _fields.RemoveAll(f => string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase)) > 0;

    /// <summary>
    /// Whether a comma-separated list header (Connection, Upgrade, Transfer-Encoding) holds a token,
    /// compared case-insensitively (RFC 9110 §5.6.1).
    /// </summary>
    public bool HasToken(string name, string token)
    {
        foreach (var f in _fields)
        {
            if (!string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            foreach (var part in f.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (string.Equals(part, token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>Removes every header.</summary>
    public void Clear() => _fields.Clear();

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _fields.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
