namespace Quai.Cli.Formatting;

/// <summary>An "error" message in the daemon's JSON stream (pull, push, load): printed as is, exit 1.</summary>
public sealed class JsonMessageException(string message) : Exception(message);
