using System.Text;
using System.Text.Json;

namespace Quai.Runtime;

/// <summary>
/// The runtime's log, as runc's: errors go to stderr and to --log FILE; the file is in logrus text
/// (time="…" level=error msg="…") or, with --log-format json, one JSON object per line, which
/// containerd reads back to explain a failure.
/// </summary>
public static class RuntimeLog
{
    private static string? s_path;
    private static bool s_json;

    /// <summary>True with --debug: each kernel call the runtime makes is logged.</summary>
    public static bool DebugEnabled { get; private set; }

    /// <summary>Sets the log file, format and level from the global flags.</summary>
    public static void Configure(string? path, bool json, bool debug)
    {
        s_path = path;
        s_json = json;
        DebugEnabled = debug;
    }

    /// <summary>An error: stderr and the log file.</summary>
    public static void Error(string message)
    {
        Console.Error.WriteLine(message);
        Append("error", message);
    }

    /// <summary>A warning: stderr and the log file.</summary>
    public static void Warn(string message)
    {
        Console.Error.WriteLine($"warning: {message}");
        Append("warning", message);
    }

    /// <summary>A debug line (only with --debug): the log file, or stderr when there is none.</summary>
    public static void Debug(string message)
    {
        if (!DebugEnabled)
        {
            return;
        }
        if (s_path is null)
        {
            Console.Error.WriteLine($"debug: {message}");
        }
        Append("debug", message);
    }

    /// <summary>Formats one log line; public for tests.</summary>
    public static string Format(string level, string message, DateTimeOffset time, bool json)
    {
        var stamp = time.ToString("yyyy-MM-ddTHH:mm:ss.fffffffzzz", System.Globalization.CultureInfo.InvariantCulture);
        if (json)
        {
            var sb = new StringBuilder();
            sb.Append("{\"level\":").Append(Quote(level)).Append(",\"msg\":").Append(Quote(message)).Append(",\"time\":").Append(Quote(stamp)).Append('}');
            return sb.ToString();
        }
        return $"time=\"{stamp}\" level={level} msg={Quote(message)}";
    }

    private static string Quote(string s) => JsonEncodedText.Encode(s, Oci.MinimalJsonEncoder.Instance).Value is var e ? $"\"{e}\"" : "";

    private static void Append(string level, string message)
    {
        if (s_path is null)
        {
            return;
        }
        try
        {
            File.AppendAllText(s_path, Format(level, message, DateTimeOffset.Now, s_json) + "\n");
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"cannot write the log file {s_path}: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            Console.Error.WriteLine($"cannot write the log file {s_path}: {e.Message}");
        }
    }
}
