namespace Quai.Registry.Auth;

/// <summary>
/// An htpasswd file of bcrypt entries ("user:$2y$…", as `htpasswd -B` writes), the user base of
/// Basic auth and of token mode. Other hash schemes are refused when the file is read, as docker's
/// registry does (registry/auth/htpasswd).
/// </summary>
public sealed class Htpasswd
{
    private readonly Dictionary<string, string> _entries;

    private Htpasswd(Dictionary<string, string> entries) => _entries = entries;

    /// <summary>Reads an htpasswd file; throws naming the file and line for a non-bcrypt entry.</summary>
    public static Htpasswd Load(string path)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in File.ReadAllLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new FormatException($"{path}:{lineNumber}: expected user:hash");
            }
            var hash = line[(colon + 1)..];
            if (!hash.StartsWith("$2", StringComparison.Ordinal))
            {
                throw new FormatException($"{path}:{lineNumber}: only bcrypt hashes are supported: create the entry with `htpasswd -B`");
            }
            entries[line[..colon]] = hash;
        }
        return new Htpasswd(entries);
    }

    /// <summary>True when <paramref name="user"/> exists and <paramref name="password"/> matches its bcrypt hash.</summary>
    public bool Verify(string user, string password)
    {
        if (!_entries.TryGetValue(user, out var hash))
        {
            return false;
        }
        try
        {
            return BCrypt.Net.BCrypt.Verify(password, hash);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false;
        }
    }
}
