namespace Quai.Cli;

/// <summary>Facts about this client that `version` and the User-Agent show.</summary>
public static class CliInfo
{
    /// <summary>The client's version.</summary>
    public const string Version = "0.1.0";

    /// <summary>The program name used in usage and error lines.</summary>
    public const string Program = "quai";
}
