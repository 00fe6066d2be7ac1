using System.Text;
using System.Text.Json;

namespace Quai.Shim.Server;

/// <summary>
/// The OCI runtime command lines the shim runs: only runc's (create, exec --detach, delete
/// --force), so runc, crun or quai-runtime all fit. Every call logs JSON to
/// &lt;state-dir&gt;/runtime.log (runc's global --log/--log-format, as containerd's shim passes),
/// which keeps the runtime's stderr to the plain error message.
/// </summary>
internal static class RuntimeCommand
{
    /// <summary>The runtime's log file in <paramref name="config"/>'s state directory.</summary>
    public static string LogFile(ShimConfig config) => Path.Combine(config.StateDir, "runtime.log");

    /// <summary>`runtime create --bundle B --pid-file P [--console-socket S] ID`.</summary>
    public static List<string> Create(ShimConfig config, string? consoleSocket)
    {
        var argv = Global(config);
        argv.AddRange(["create", "--bundle", config.Bundle, "--pid-file", config.PidFile]);
        AddConsole(argv, consoleSocket);
        argv.Add(config.Id);
        return argv;
    }

    /// <summary>`runtime exec --detach --pid-file P --process F [--console-socket S] ID`.</summary>
    public static List<string> Exec(ShimConfig config, string? consoleSocket)
    {
        var argv = Global(config);
        argv.AddRange(["exec", "--detach", "--pid-file", config.PidFile, "--process", config.ProcessFile!]);
        AddConsole(argv, consoleSocket);
        argv.Add(config.Id);
        return argv;
    }

    /// <summary>`runtime delete --force ID`.</summary>
    public static List<string> Delete(ShimConfig config)
    {
        var argv = Global(config);
        argv.AddRange(["delete", "--force", config.Id]);
        return argv;
    }

    /// <summary>
    /// The message to report for a failed runtime call: its stderr (trimmed, one line per line of
    /// it), else the last error in its JSON log, else its exit status.
    /// </summary>
    public static string ErrorMessage(ShimConfig config, string stderr, int exitCode)
    {
        var text = stderr.Trim();
        if (text.Length == 0)
        {
            text = LastLoggedError(LogFile(config)) ?? "";
        }
        if (text.Length == 0)
        {
            text = $"{Path.GetFileName(config.Runtime)} {(config.IsExec ? "exec" : "create")} exited with status {exitCode} and printed no error (see {LogFile(config)})";
        }
        // The fd-3 protocol is one line: fold any newlines the runtime printed.
        return text.Replace("\r", "", StringComparison.Ordinal).Replace('\n', ' ');
    }

    /// <summary>The msg of the last "level":"error" entry of a runc-style JSON log, or null.</summary>
    public static string? LastLoggedError(string logFile)
    {
        if (!File.Exists(logFile))
        {
            return null;
        }
        string? last = null;
        foreach (var line in File.ReadLines(logFile, Encoding.UTF8))
        {
            if (!line.StartsWith('{'))
            {
                continue;
            }
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (root.TryGetProperty("level", out var level) && level.ValueEquals("error") &&
                    root.TryGetProperty("msg", out var msg) && msg.ValueKind == JsonValueKind.String)
                {
                    last = msg.GetString();
                }
            }
            catch (JsonException)
            {
            }
        }
        return last;
    }

    private static List<string> Global(ShimConfig config)
    {
        var argv = new List<string> { config.Runtime };
        if (config.RuntimeRoot is not null)
        {
            argv.AddRange(["--root", config.RuntimeRoot]);
        }
        argv.AddRange(["--log", LogFile(config), "--log-format", "json"]);
        return argv;
    }

    private static void AddConsole(List<string> argv, string? consoleSocket)
    {
        if (consoleSocket is not null)
        {
            argv.AddRange(["--console-socket", consoleSocket]);
        }
    }
}
