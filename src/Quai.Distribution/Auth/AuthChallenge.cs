namespace Quai.Distribution.Auth;

/// <summary>
/// One challenge of a 401's WWW-Authenticate header (RFC 9110 §11.6.1): a scheme ("Bearer",
/// "Basic") and its auth-params (realm, service, scope, error), as token.md#how-to-authenticate uses them.
/// </summary>
public sealed class AuthChallenge
{
    private AuthChallenge(string scheme, Dictionary<string, string> parameters)
    {
        Scheme = scheme;
        Parameters = parameters;
    }

    /// <summary>The scheme, as sent ("Bearer").</summary>
    public string Scheme { get; }

    /// <summary>The parameters, keys lowercased.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>True for the Bearer scheme.</summary>
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for the Basic scheme.</summary>
    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    /// <summary>A parameter's value, or null.</summary>
    public string? this[string name] => Parameters.TryGetValue(name, out var v) ? v : null;

    /// <summary>Parses every challenge in one header value (several may be comma-separated).</summary>
    public static List<AuthChallenge> Parse(string header)
    {
        var result = new List<AuthChallenge>();
        var i = 0;
        string? scheme = null;
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (i < header.Length)
        {
            SkipSeparators(header, ref i);
            var token = ReadToken(header, ref i);
            if (token.Length == 0)
            {
                i++;
                continue;
            }
            SkipSpaces(header, ref i);
            if (i < header.Length && header[i] == '=')
            {
                i++;
                SkipSpaces(header, ref i);
                var value = i < header.Length && header[i] == '"' ? ReadQuoted(header, ref i) : ReadToken(header, ref i);
                if (scheme is not null)
                {
                    parameters[token.ToLowerInvariant()] = value;
                }
                continue;
            }
            // A token not followed by '=' starts a new challenge.
            if (scheme is not null)
            {
                result.Add(new AuthChallenge(scheme, parameters));
            }
            scheme = token;
            parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        }
        if (scheme is not null)
        {
            result.Add(new AuthChallenge(scheme, parameters));
        }
        return result;
    }

    private static void SkipSpaces(string s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t')
        {
            i++;
        }
    }

    private static void SkipSeparators(string s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t' or ',')
        {
            i++;
        }
    }

    private static string ReadToken(string s, ref int i)
    {
        var start = i;
        while (i < s.Length && s[i] is not (' ' or '\t' or ',' or '=' or '"'))
        {
            i++;
        }
        return s[start..i];
    }

    private static string ReadQuoted(string s, ref int i)
    {
        var sb = new System.Text.StringBuilder();
        i++;
        while (i < s.Length && s[i] != '"')
        {
            if (s[i] == '\\' && i + 1 < s.Length)
            {
                i++;
            }
            sb.Append(s[i]);
            i++;
        }
        i++;
        return sb.ToString();
    }
}
