using System.Text.Json;

namespace Quai.Engine;

/// <summary>
/// docker's list filters (`?filters={"label":{"a=b":true}}`, or the older `{"label":["a=b"]}`):
/// each key's values are OR-ed, keys are AND-ed, as moby's api/types/filters.Args.
/// </summary>
public sealed class Filters
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    /// <summary>No filters.</summary>
    public static Filters None => new();

    /// <summary>Parses the query value; both JSON forms. Throws InvalidArgument on bad JSON.</summary>
    public static Filters Parse(string? json)
    {
        var f = new Filters();
        if (string.IsNullOrWhiteSpace(json))
        {
            return f;
        }
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw EngineException.Invalid("invalid filter: filters must be a JSON object");
            }
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                var list = new List<string>();
                if (p.Value.ValueKind == JsonValueKind.Object)
                {
                    list.AddRange(p.Value.EnumerateObject().Where(v => v.Value.ValueKind != JsonValueKind.False).Select(v => v.Name));
                }
                else if (p.Value.ValueKind == JsonValueKind.Array)
                {
                    list.AddRange(p.Value.EnumerateArray().Select(v => v.ToString()));
                }
                else
                {
                    throw EngineException.Invalid($"invalid filter '{p.Name}': expected an object or an array");
                }
                f._values[p.Name] = list;
            }
        }
        catch (JsonException e)
        {
            throw EngineException.Invalid("invalid filter: " + e.Message);
        }
        return f;
    }

    /// <summary>Adds a value (for callers building filters in code).</summary>
    public Filters Add(string key, string value)
    {
        if (!_values.TryGetValue(key, out var list))
        {
            _values[key] = list = [];
        }
        list.Add(value);
        return this;
    }

    /// <summary>The values of a key, or null.</summary>
    public IReadOnlyList<string>? Get(string key) => _values.GetValueOrDefault(key);

    /// <summary>Throws docker's "invalid filter 'x'" for a key outside <paramref name="allowed"/>.</summary>
    public void Validate(params string[] allowed)
    {
        foreach (var k in _values.Keys)
        {
            if (!allowed.Contains(k))
            {
                throw EngineException.Invalid($"invalid filter '{k}'");
            }
        }
    }

    /// <summary>True when the key is absent or one of its values equals <paramref name="value"/>.</summary>
    public bool MatchExact(string key, string? value) =>
        !_values.TryGetValue(key, out var list) || list.Count == 0 || list.Any(v => string.Equals(v, value, StringComparison.Ordinal));

    /// <summary>True when the key is absent or one of its values is a substring of <paramref name="value"/>.</summary>
    public bool MatchSubstring(string key, string? value) =>
        !_values.TryGetValue(key, out var list) || list.Count == 0 || list.Any(v => value is not null && value.Contains(v, StringComparison.Ordinal));

    /// <summary>The label and label! filters: "key" (present) or "key=value"; every value must hold.</summary>
    public bool MatchLabels(IReadOnlyDictionary<string, string>? labels)
    {
        labels ??= new Dictionary<string, string>();
        if (_values.TryGetValue("label", out var want) && !want.All(l => HasLabel(labels, l)))
        {
            return false;
        }
        return !_values.TryGetValue("label!", out var not) || !not.Any(l => HasLabel(labels, l));
    }

    private static bool HasLabel(IReadOnlyDictionary<string, string> labels, string filter)
    {
        var eq = filter.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? labels.ContainsKey(filter) : labels.TryGetValue(filter[..eq], out var v) && v == filter[(eq + 1)..];
    }
}
