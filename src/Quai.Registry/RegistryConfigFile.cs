using System.Text.Json;

namespace Quai.Registry;

/// <summary>
/// The --config file of quai-registry, JSON:
/// {"auth": {"htpasswd": "/etc/quai-registry/htpasswd", "token": true, "service": "quai-registry"},
///  "tls": {"certificate": "cert.pem", "key": "key.pem"}, "maxManifestBytes": 4194304}.
/// Relative paths are taken from the file's directory.
/// </summary>
public static class RegistryConfigFile
{
    /// <summary>Reads <paramref name="path"/> into options for <paramref name="root"/> and <paramref name="address"/>.</summary>
    public static RegistryOptions Load(string? path, string root, string address)
    {
        if (path is null)
        {
            return new RegistryOptions { Root = root, Address = address };
        }
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        var rootElement = doc.RootElement;
        string? Get(string section, string key) =>
            rootElement.TryGetProperty(section, out var s) && s.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? Path.Combine(dir, v.GetString()!) : null;
        var token = rootElement.TryGetProperty("auth", out var auth) && auth.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.True;
        var service = auth.ValueKind == JsonValueKind.Object && auth.TryGetProperty("service", out var sv) ? sv.GetString() : null;
        var max = rootElement.TryGetProperty("maxManifestBytes", out var m) ? m.GetInt64() : 4 * 1024 * 1024;
        return new RegistryOptions
        {
            Root = root,
            Address = address,
            HtpasswdPath = Get("auth", "htpasswd"),
            TokenAuth = token,
            Service = service ?? "quai-registry",
            TlsCertificatePath = Get("tls", "certificate"),
            TlsKeyPath = Get("tls", "key"),
            MaxManifestBytes = max,
        };
    }
}
