using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Quai.Registry.Auth;

/// <summary>
/// Issues and verifies the registry's own bearer tokens (docs/spec/auth/token.md and jwt.md):
/// HS256-signed JWTs whose "access" claim lists the repository actions granted. The key is made at
/// start-up, so tokens die with the server, which is what a test and a single-node registry want.
/// </summary>
public sealed class TokenService
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly string _service;
    private readonly TimeSpan _lifetime;

    public TokenService(string service, TimeSpan lifetime)
    {
        _service = service;
        _lifetime = lifetime;
    }

    /// <summary>A token for <paramref name="subject"/> granting <paramref name="access"/>.</summary>
    public string Issue(string subject, IReadOnlyList<AccessEntry> access)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8.ToArray());
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("iss", _service);
            w.WriteString("sub", subject);
            w.WriteString("aud", _service);
            w.WriteNumber("iat", now);
            w.WriteNumber("nbf", now - 5);
            w.WriteNumber("exp", now + (long)_lifetime.TotalSeconds);
            w.WriteString("jti", Guid.NewGuid().ToString("N"));
            w.WriteStartArray("access");
            foreach (var a in access)
            {
                w.WriteStartObject();
                w.WriteString("type", a.Type);
                w.WriteString("name", a.Name);
                w.WriteStartArray("actions");
                foreach (var action in a.Actions)
                {
                    w.WriteStringValue(action);
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        var payload = Base64Url(buffer.ToArray());
        return header + "." + payload + "." + Sign(header + "." + payload);
    }

    /// <summary>
    /// Verifies signature, audience and lifetime and returns the granted access, or null for a token
    /// this server did not issue or that expired.
    /// </summary>
    public List<AccessEntry>? Verify(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }
        var expected = Encoding.ASCII.GetBytes(Sign(parts[0] + "." + parts[1]));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(parts[2])))
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(FromBase64Url(parts[1]));
            var root = doc.RootElement;
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            if (root.GetProperty("aud").GetString() != _service || root.GetProperty("exp").GetInt64() < now || root.GetProperty("nbf").GetInt64() > now)
            {
                return null;
            }
            var result = new List<AccessEntry>();
            foreach (var a in root.GetProperty("access").EnumerateArray())
            {
                result.Add(new AccessEntry(a.GetProperty("type").GetString()!, a.GetProperty("name").GetString()!, [.. a.GetProperty("actions").EnumerateArray().Select(x => x.GetString()!)]));
            }
            return result;
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private string Sign(string data) => Base64Url(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(data)));

    private static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b.PadRight(b.Length + ((4 - (b.Length % 4)) % 4), '='));
    }
}
