namespace Quai.Network.Cni;

/// <summary>A CNI plugin failed: names the plugin, the command, and the plugin's code and msg (SPEC.md "Error").</summary>
public sealed class CniException : Exception
{
    public CniException(string plugin, string command, int code, string message, string? details = null)
        : base(Format(plugin, command, code, message, details))
    {
        Plugin = plugin;
        Command = command;
        Code = code;
        PluginMessage = message;
        Details = details;
    }

    public CniException()
        : this("unknown", "unknown", 999, "unknown CNI failure")
    {
    }

    public CniException(string message)
        : this("unknown", "unknown", 999, message)
    {
    }

    public CniException(string message, Exception innerException)
        : base(message, innerException)
    {
        Plugin = "unknown";
        Command = "unknown";
        Code = 999;
        PluginMessage = message;
    }

    /// <summary>The plugin type (binary name), e.g. "bridge".</summary>
    public string Plugin { get; }

    /// <summary>ADD, DEL, CHECK or VERSION.</summary>
    public string Command { get; }

    /// <summary>The CNI error code (1-99 reserved by the spec, 100+ plugin-specific).</summary>
    public int Code { get; }

    /// <summary>The plugin's "msg".</summary>
    public string PluginMessage { get; }

    /// <summary>The plugin's "details", if any.</summary>
    public string? Details { get; }

    private static string Format(string plugin, string command, int code, string message, string? details) =>
        string.IsNullOrEmpty(details)
            ? $"CNI plugin '{plugin}' {command} failed (code {code}): {message}"
            : $"CNI plugin '{plugin}' {command} failed (code {code}): {message}: {details}";
}
