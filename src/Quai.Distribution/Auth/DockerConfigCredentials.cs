using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Quai.Distribution.Auth;

/// <summary>
/// Credentials from docker's config.json ($DOCKER_CONFIG/config.json, else ~/.docker/config.json),
/// read as the docker CLI does (cli/config/configfile): credHelpers for the domain, else credsStore,
/// else auths' base64 "user:password" or "identitytoken". Helpers are run as
/// `docker-credential-&lt;name&gt; get` with the server URL on stdin (docker-credential-helpers protocol).
/// </summary>
public sealed class DockerConfigCredentials : ICredentialProvider
{
    /// <summary>The key config.json uses for Docker Hub.</summary>
    public const string DockerHubServerUrl = "https://index.docker.io/v1/";

    private readonly string _configPath;
    private readonly string? _helperDirectory;

    /// <summary>
    /// Reads <paramref name="configDirectory"/>/config.json (default $DOCKER_CONFIG or ~/.docker);
    /// helpers are looked up in <paramref name="helperDirectory"/> if given, else on PATH.
    /// </summary>
    public DockerConfigCredentials(string? configDirectory = null, string? helperDirectory = null)
    {
        configDirectory ??= Environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } env
            ? env
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        _configPath = Path.Combine(configDirectory, "config.json");
        _helperDirectory = helperDirectory;
    }

    public async Task<RegistryCredentials?> GetAsync(string domain, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(_configPath))
        {
            return null;
        }
        using var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(_configPath, cancellationToken).ConfigureAwait(false));
        var root = doc.RootElement;
        var serverUrl = domain == "docker.io" ? DockerHubServerUrl : domain;
        if (root.TryGetProperty("credHelpers", out var helpers) && helpers.ValueKind == JsonValueKind.Object)
        {
            foreach (var h in helpers.EnumerateObject())
            {
                if (Matches(h.Name, domain) && h.Value.GetString() is { Length: > 0 } helper)
                {
                    return await RunHelperAsync(helper, serverUrl, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        if (root.TryGetProperty("credsStore", out var store) && store.GetString() is { Length: > 0 } storeName)
        {
            return await RunHelperAsync(storeName, serverUrl, cancellationToken).ConfigureAwait(false);
        }
        if (root.TryGetProperty("auths", out var auths) && auths.ValueKind == JsonValueKind.Object)
        {
            foreach (var a in auths.EnumerateObject())
            {
                if (Matches(a.Name, domain))
                {
                    return FromAuthEntry(a.Value, a.Name);
                }
            }
        }
        return null;
    }

    private RegistryCredentials? FromAuthEntry(JsonElement entry, string key)
    {
        string? user = null;
        string? password = null;
        if (entry.TryGetProperty("auth", out var auth) && auth.GetString() is { Length: > 0 } encoded)
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            }
            catch (FormatException e)
            {
                throw new DistributionException(DistributionErrorKind.InvalidArgument, $"{_configPath}: auths[\"{key}\"].auth is not base64: {e.Message}; run `docker login {key}` again");
            }
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                throw new DistributionException(DistributionErrorKind.InvalidArgument, $"{_configPath}: auths[\"{key}\"].auth is not \"user:password\"; run `docker login {key}` again");
            }
            user = decoded[..colon];
            password = decoded[(colon + 1)..];
        }
        user ??= entry.TryGetProperty("username", out var u) ? u.GetString() : null;
        password ??= entry.TryGetProperty("password", out var p) ? p.GetString() : null;
        var identity = entry.TryGetProperty("identitytoken", out var it) ? it.GetString() : null;
        if (identity is { Length: > 0 })
        {
            return new RegistryCredentials(user ?? "<token>", password ?? "", identity);
        }
        return user is null ? null : new RegistryCredentials(user, password ?? "");
    }

    /// <summary>
    /// True when a config key names <paramref name="domain"/>: keys may be "host", "https://host",
    /// "http://host/v1/"; Docker Hub has several spellings (registry/auth.go ConvertToHostname).
    /// </summary>
    private static bool Matches(string key, string domain)
    {
        var host = key;
        if (host.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            host = host[8..];
        }
        else if (host.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            host = host[7..];
        }
        var slash = host.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            host = host[..slash];
        }
        if (domain == "docker.io")
        {
            return host is "index.docker.io" or "docker.io" or "registry-1.docker.io";
        }
        return host.Equals(domain, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<RegistryCredentials?> RunHelperAsync(string helper, string serverUrl, CancellationToken cancellationToken)
    {
        var program = "docker-credential-" + helper;
        if (_helperDirectory is not null)
        {
            program = Path.Combine(_helperDirectory, program);
        }
        var psi = new ProcessStartInfo(program, "get")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new DistributionException(DistributionErrorKind.Unauthorized, $"could not start credential helper {program}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DistributionException(DistributionErrorKind.Unauthorized, $"credential helper {program} named in {_configPath} cannot be run: {e.Message}; install it or remove it from the config", null, null, e);
        }
        using (process)
        {
            await process.StandardInput.WriteAsync(serverUrl).ConfigureAwait(false);
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            var output = await stdout.ConfigureAwait(false);
            var error = await stderr.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                // docker-credential-helpers: "credentials not found in native keychain" means anonymous.
                if ((output + error).Contains("credentials not found", StringComparison.OrdinalIgnoreCase))
                {
                    return null;
                }
                throw new DistributionException(DistributionErrorKind.Unauthorized, $"credential helper {program} failed for {serverUrl}: {(output + error).Trim()}");
            }
            using var doc = JsonDocument.Parse(output);
            var user = doc.RootElement.TryGetProperty("Username", out var u) ? u.GetString() ?? "" : "";
            var secret = doc.RootElement.TryGetProperty("Secret", out var s) ? s.GetString() ?? "" : "";
            // The helpers' convention: user "<token>" means the secret is an identity token.
            return user == "<token>" ? new RegistryCredentials(user, "", secret) : new RegistryCredentials(user, secret);
        }
    }
}
