using Microsoft.Extensions.Logging;

namespace Quai.Daemon;

/// <summary>The daemon's log: one line per event (time, level, category, message) to stderr or a file, like dockerd's text log.</summary>
internal sealed class TextLoggerFactory : ILoggerFactory
{
    private readonly TextWriter _output;
    private readonly LogLevel _minimum;
    private readonly Lock _gate = new();

    public TextLoggerFactory(TextWriter output, LogLevel minimum)
    {
        _output = output;
        _minimum = minimum;
    }

    public ILogger CreateLogger(string categoryName) => new TextLogger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("quaid writes its own log");

    public void Dispose() => _output.Flush();

    private void Write(LogLevel level, string category, string message, Exception? exception)
    {
        var name = level switch
        {
            LogLevel.Trace or LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warning",
            LogLevel.Error => "error",
            _ => "fatal",
        };
        var line = $"time=\"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffffffZ}\" level={name} msg=\"{message.Replace("\"", "\\\"", StringComparison.Ordinal)}\" module={category}";
        if (exception is not null)
        {
            line += " error=\"" + exception.Message.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        }
        lock (_gate)
        {
            _output.WriteLine(line);
            _output.Flush();
        }
    }

    private sealed class TextLogger(TextLoggerFactory factory, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= factory._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                factory.Write(logLevel, category, formatter(state, exception), exception);
            }
        }
    }
}
