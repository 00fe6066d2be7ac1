using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Quai.Api.Http;

/// <summary>A Docker Engine API version, <c>major.minor</c> (the <c>/v1.41</c> path prefix).</summary>
/// <param name="Major">The major number (1).</param>
/// <param name="Minor">The minor number.</param>
public readonly record struct ApiVersion(int Major, int Minor) : IComparable<ApiVersion>
{
    /// <summary>Parses <c>1.41</c> (or <c>1</c>, read as <c>1.0</c>).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out ApiVersion? version)
    {
        version = null;
        var dot = text.IndexOf('.');
        var majorText = dot < 0 ? text : text[..dot];
        var minorText = dot < 0 ? "0" : text[(dot + 1)..];
        if (!IsDigits(majorText) || !IsDigits(minorText)
            || !int.TryParse(majorText, NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(minorText, NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            return false;
        }
        version = new ApiVersion(major, minor);
        return true;
    }

    /// <summary>Parses a version, throwing <see cref="FormatException"/> when it is not <c>major.minor</c>.</summary>
    public static ApiVersion Parse(string text) =>
        TryParse(text, out var v) ? v.Value : throw new FormatException($"invalid API version \"{text}\": expected major.minor, e.g. 1.41");

    public int CompareTo(ApiVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major) : Minor.CompareTo(other.Minor);

    public static bool operator <(ApiVersion left, ApiVersion right) => left.CompareTo(right) < 0;

    public static bool operator >(ApiVersion left, ApiVersion right) => left.CompareTo(right) > 0;

    public static bool operator <=(ApiVersion left, ApiVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >=(ApiVersion left, ApiVersion right) => left.CompareTo(right) >= 0;

    /// <summary><c>major.minor</c>, as docker prints it.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}");

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty || s.Length > 9)
        {
            return false;
        }
        foreach (var c in s)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        return true;
    }
}
