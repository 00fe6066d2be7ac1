using System.Text;
using System.Text.Json.Nodes;
using Quai.Cli.Formatting;

namespace Quai.Cli.Commands;

/// <summary>
/// Credentials in docker's config.json: "auths": { "registry": { "auth": base64(user:pass) } },
/// and the X-Registry-Auth header the daemon expects (base64url JSON).
/// </summary>
internal static class AuthConfig
{
    private const string DockerHubKey = "https://index.docker.io/v1/";

    /// <summary>config.json's key for a registry (Docker Hub keeps its historical URL).</summary>
    public static string Key(string registry) => registry is "docker.io" or "index.docker.io" or "registry-1.docker.io" ? DockerHubKey : registry;

    /// <summary>The config.json path under <paramref name="configDir"/>.</summary>
    public static string PathIn(string configDir) => Path.Combine(configDir, "config.json");

    /// <summary>The stored (user, password) for <paramref name="registry"/>, if any.</summary>
    public static (string User, string Password)? Get(string configDir, string registry)
    {
        var root = Load(configDir);
        if (root["auths"]?[Key(registry)]?["auth"]?.GetValue<string>() is not { } b64)
        {
            return null;
        }
        var text = Encoding.UTF8.GetString(Convert.FromBase64String(b64));
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : (text[..colon], text[(colon + 1)..]);
    }

    /// <summary>Stores credentials (0600 file, as docker writes it).</summary>
    public static void Set(string configDir, string registry, string user, string password)
    {
        var root = Load(configDir);
        if (root["auths"] is not JsonObject auths)
        {
            root["auths"] = auths = [];
        }
        auths[Key(registry)] = new JsonObject { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)) };
        Save(configDir, root);
    }

    /// <summary>Removes credentials; false when there were none.</summary>
    public static bool Remove(string configDir, string registry)
    {
        var root = Load(configDir);
        if (root["auths"] is not JsonObject auths || !auths.Remove(Key(registry)))
        {
            return false;
        }
        Save(configDir, root);
        return true;
    }

    /// <summary>The X-Registry-Auth value: base64url of {"username","password","serveraddress"}, or of {} without credentials.</summary>
    public static string Header(string configDir, string registry)
    {
        var cred = Get(configDir, registry);
        var json = cred is { } c
            ? new JsonObject { ["username"] = c.User, ["password"] = c.Password, ["serveraddress"] = Key(registry) }
            : new JsonObject();
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(GoJson.Serialize(json))).Replace('+', '-').Replace('/', '_');
    }

    private static JsonObject Load(string configDir)
    {
        var path = PathIn(configDir);
        if (!File.Exists(path))
        {
            return [];
        }
        return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? [];
    }

    private static void Save(string configDir, JsonObject root)
    {
        Directory.CreateDirectory(configDir);
        var path = PathIn(configDir);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, GoJson.Indent(Encoding.UTF8.GetBytes(GoJson.Serialize(root, escapeHtml: false)), "", "\t") + "\n");
        File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(tmp, path, overwrite: true);
    }
}
