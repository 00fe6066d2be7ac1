using Microsoft.Extensions.Logging;

namespace Quai.Runtime.Tests.Cgroups;

/// <summary>An ILogger that keeps every message, so tests can check the exact sequence of cgroup writes.</summary>
internal sealed class RecordingLogger : ILogger
{
    public List<(LogLevel Level, EventId Id, string Message)> Entries { get; } = [];

    /// <summary>"file=value" for every cgroup write, file relative to <paramref name="root"/>.</summary>
    public List<string> Writes(string root) =>
        [.. Entries.Where(e => e.Id.Id == 2100).Select(e => e.Message["cgroup write ".Length..].Replace(root + "/", "", StringComparison.Ordinal).Replace(" = \"", "=", StringComparison.Ordinal).TrimEnd('"'))];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Add((logLevel, eventId, formatter(state, exception)));
}
