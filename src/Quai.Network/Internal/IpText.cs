using System.Net;

namespace Quai.Network.Internal;

/// <summary>Strict address parsing: IPAddress.TryParse accepts inet_aton's "1.2.3" and "10", docker (Go's net.ParseIP) does not.</summary>
internal static class IpText
{
    public static bool TryParse(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        if (!text.Contains(':', StringComparison.Ordinal) && text.Count(c => c == '.') != 3)
        {
            return false;
        }
        if (!IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }
        address = parsed;
        return true;
    }
}
