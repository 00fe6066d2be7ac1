using System.Globalization;

namespace Quai.Cli.Api;

/// <summary>Docker API version negotiation: min(client's, daemon's), or DOCKER_API_VERSION as given.</summary>
public static class ApiVersion
{
    /// <summary>The newest API version this client speaks (docker 28.2's).</summary>
    public const string Client = "1.50";

    /// <summary>Compares two "major.minor" versions numerically (1.9 &lt; 1.41).</summary>
    public static int Compare(string a, string b)
    {
        var (am, an) = Split(a);
        var (bm, bn) = Split(b);
        return am != bm ? am.CompareTo(bm) : an.CompareTo(bn);
    }

    /// <summary>
    /// The version to use: the override when set (docker does not negotiate then), else the lower
    /// of ours and the daemon's Api-Version header, else ours when the daemon gave none.
    /// </summary>
    public static string Negotiate(string? serverVersion, string? overrideVersion)
    {
        if (!string.IsNullOrEmpty(overrideVersion))
        {
            return overrideVersion;
        }
        if (string.IsNullOrEmpty(serverVersion))
        {
            // Docker's client falls back to 1.24 when the ping carries no version (very old daemons).
            return "1.24";
        }
        return Compare(serverVersion, Client) < 0 ? serverVersion : Client;
    }

    private static (int Major, int Minor) Split(string v)
    {
        var dot = v.IndexOf('.', StringComparison.Ordinal);
        var major = int.Parse(dot < 0 ? v : v[..dot], CultureInfo.InvariantCulture);
        var minor = dot < 0 ? 0 : int.Parse(v[(dot + 1)..], CultureInfo.InvariantCulture);
        return (major, minor);
    }
}
