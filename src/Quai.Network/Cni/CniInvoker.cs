using System.Text.Json;
using Quai.Network.Internal;

namespace Quai.Network.Cni;

/// <summary>
/// Runs one CNI plugin binary (SPEC.md "Section 3: Execution Protocol"): the operation in CNI_*
/// environment variables, the network configuration on stdin, a result or error JSON on stdout.
/// </summary>
public sealed class CniInvoker
{
    /// <summary>Debian's containernetworking-plugins directory.</summary>
    public const string DefaultPluginDirectory = "/usr/lib/cni";

    private readonly string[] pluginDirectories;

    /// <summary>Creates an invoker that looks for plugins in <paramref name="pluginDirectories"/> (CNI_PATH), in order.</summary>
    public CniInvoker(IEnumerable<string>? pluginDirectories = null)
    {
        this.pluginDirectories = pluginDirectories?.ToArray() ?? [DefaultPluginDirectory, "/opt/cni/bin"];
        if (this.pluginDirectories.Length == 0)
        {
            throw new ArgumentException("at least one CNI plugin directory is needed", nameof(pluginDirectories));
        }
    }

    /// <summary>The CNI_PATH value passed to plugins (they run IPAM plugins from it).</summary>
    public string CniPath => string.Join(':', pluginDirectories);

    /// <summary>The full path of the plugin binary for <paramref name="type"/>; throws naming the directories searched.</summary>
    public string FindPlugin(string type)
    {
        if (string.IsNullOrEmpty(type) || type.Contains('/', StringComparison.Ordinal) || type.StartsWith('.'))
        {
            throw new ArgumentException($"invalid CNI plugin type '{type}'", nameof(type));
        }
        foreach (var directory in pluginDirectories)
        {
            var candidate = Path.Combine(directory, type);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException(
            $"CNI plugin '{type}' not found in {CniPath}; install containernetworking-plugins (scripts/deps.sh)", type);
    }

    /// <summary>
    /// Runs <paramref name="command"/> (ADD, DEL, CHECK) of plugin <paramref name="type"/> with
    /// <paramref name="stdinConfig"/>; returns its stdout (the result JSON for ADD, usually empty otherwise).
    /// Throws <see cref="CniException"/> with the plugin's code and msg on failure.
    /// </summary>
    public async Task<string> ExecAsync(string type, string command, CniRuntimeConf runtime, string stdinConfig, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var plugin = FindPlugin(type);
        var environment = new Dictionary<string, string>
        {
            ["CNI_COMMAND"] = command,
            ["CNI_CONTAINERID"] = runtime.ContainerId,
            ["CNI_NETNS"] = runtime.NetnsPath,
            ["CNI_IFNAME"] = runtime.IfName,
            ["CNI_PATH"] = CniPath,
        };
        var args = runtime.FormatArgs();
        if (args.Length > 0)
        {
            environment["CNI_ARGS"] = args;
        }
        var result = await CommandRunner.RunAsync(plugin, [], stdinConfig, environment, clearEnvironment: true, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw ToException(type, command, result);
        }
        return result.Stdout;
    }

    /// <summary>Parses a plugin's success output into a <see cref="CniResult"/> keeping the raw JSON.</summary>
    public static CniResult ParseResult(string type, string stdout)
    {
        try
        {
            var parsed = JsonSerializer.Deserialize(stdout, CniJsonContext.Default.CniResult)
                ?? throw new CniException(type, "ADD", 999, "plugin printed an empty result");
            return parsed with { RawJson = stdout.Trim() };
        }
        catch (JsonException e)
        {
            throw new CniException(type, "ADD", 999, "plugin printed a result that is not JSON", e.Message);
        }
    }

    private static CniException ToException(string type, string command, CommandResult result)
    {
        // SPEC.md: on failure a plugin prints an error JSON to stdout and exits non-zero.
        var text = result.Stdout.Trim();
        if (text.Length > 0)
        {
            try
            {
                var error = JsonSerializer.Deserialize(text, CniJsonContext.Default.CniError);
                if (error is not null && (error.Code != 0 || error.Msg is not null))
                {
                    return new CniException(type, command, error.Code, error.Msg ?? "(no msg)", error.Details);
                }
            }
            catch (JsonException)
            {
            }
        }
        var output = string.Join(" ", new[] { text, result.Stderr.Trim() }.Where(s => s.Length > 0));
        return new CniException(type, command, 999, $"exited with code {result.ExitCode}", output.Length > 0 ? output : null);
    }
}
