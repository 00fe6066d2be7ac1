namespace Quai.Api.Http;

/// <summary>
/// A path template such as <c>/containers/{id}/attach</c> or <c>/images/{name:.*}/json</c>:
/// <c>{x}</c> matches one segment, <c>{x:.*}</c> (gorilla/mux's catch-all, as dockerd's routes use)
/// any number of segments, slashes included. Values are percent-decoded after matching, so
/// <c>my%2Fname</c> is one segment whose value is <c>my/name</c>.
/// </summary>
public sealed class RouteTemplate
{
    private readonly Segment[] _segments;
    private readonly int _catchAll = -1;

    /// <summary>Parses a template; throws <see cref="ArgumentException"/> on a malformed one.</summary>
    public RouteTemplate(string template)
    {
        ArgumentException.ThrowIfNullOrEmpty(template);
        if (!template.StartsWith('/'))
        {
            throw new ArgumentException($"route template \"{template}\" must start with '/'", nameof(template));
        }
        Text = template;
        var parts = template[1..].Split('/');
        _segments = new Segment[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var p = parts[i];
            if (p.StartsWith('{') && p.EndsWith('}'))
            {
                var inner = p[1..^1];
                var colon = inner.IndexOf(':', StringComparison.Ordinal);
                var name = colon < 0 ? inner : inner[..colon];
                var pattern = colon < 0 ? null : inner[(colon + 1)..];
                if (name.Length == 0 || (pattern is not null && pattern != ".*"))
                {
                    throw new ArgumentException($"route template \"{template}\": parameter \"{p}\" must be {{name}} or {{name:.*}}", nameof(template));
                }
                if (pattern is not null)
                {
                    if (_catchAll >= 0)
                    {
                        throw new ArgumentException($"route template \"{template}\" has more than one catch-all parameter", nameof(template));
                    }
                    _catchAll = i;
                }
                _segments[i] = new Segment(name, IsParameter: true);
            }
            else if (p.Contains('{', StringComparison.Ordinal) || p.Contains('}', StringComparison.Ordinal))
            {
                throw new ArgumentException($"route template \"{template}\": a parameter must be a whole segment", nameof(template));
            }
            else
            {
                _segments[i] = new Segment(p, IsParameter: false);
            }
        }
    }

    /// <summary>The template as written.</summary>
    public string Text { get; }

    /// <summary>
    /// Matches raw (still percent-encoded) path segments, the path without its leading '/' split
    /// on '/'; returns the decoded parameter values, or null when the path does not match.
    /// </summary>
    public Dictionary<string, string>? Match(ReadOnlySpan<string> segments)
    {
        int prefix, suffix;
        if (_catchAll < 0)
        {
            if (segments.Length != _segments.Length)
            {
                return null;
            }
            prefix = _segments.Length;
            suffix = 0;
        }
        else
        {
            prefix = _catchAll;
            suffix = _segments.Length - _catchAll - 1;
            if (segments.Length < prefix + suffix + 1)
            {
                return null;
            }
        }
        Dictionary<string, string>? values = null;
        for (var i = 0; i < prefix; i++)
        {
            if (!MatchSegment(_segments[i], segments[i], ref values))
            {
                return null;
            }
        }
        for (var i = 0; i < suffix; i++)
        {
            if (!MatchSegment(_segments[_segments.Length - suffix + i], segments[segments.Length - suffix + i], ref values))
            {
                return null;
            }
        }
        values ??= new Dictionary<string, string>(StringComparer.Ordinal);
        if (_catchAll >= 0)
        {
            var raw = string.Join('/', segments[prefix..(segments.Length - suffix)].ToArray());
            if (!PercentEncoding.TryDecode(raw, plusIsSpace: false, out var decoded))
            {
                return null;
            }
            values[_segments[_catchAll].Text] = decoded;
        }
        return values;
    }

    public override string ToString() => Text;

    private static bool MatchSegment(Segment segment, string raw, ref Dictionary<string, string>? values)
    {
        if (!PercentEncoding.TryDecode(raw, plusIsSpace: false, out var decoded))
        {
            return false;
        }
        if (!segment.IsParameter)
        {
            return string.Equals(segment.Text, decoded, StringComparison.Ordinal);
        }
        if (decoded.Length == 0)
        {
            return false; // {x} is [^/]+ in gorilla/mux: never empty
        }
        (values ??= new Dictionary<string, string>(StringComparer.Ordinal))[segment.Text] = decoded;
        return true;
    }

    private readonly record struct Segment(string Text, bool IsParameter);
}
