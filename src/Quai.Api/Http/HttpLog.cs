using Microsoft.Extensions.Logging;

namespace Quai.Api.Http;

/// <summary>Source-generated log messages of the HTTP server (STYLE.md §8), event ids 6000-6099.</summary>
internal static partial class HttpLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Information, Message = "API listening on {Endpoint}")]
    public static partial void Listening(this ILogger logger, string endpoint);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "API listening on {Endpoint} without TLS: anyone who can reach it has root on this host")]
    public static partial void ListeningWithoutTls(this ILogger logger, string endpoint);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "removed stale socket {Path} (nothing answered on it)")]
    public static partial void RemovedStaleSocket(this ILogger logger, string path);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Debug, Message = "{Method} {Target} -> {Status}")]
    public static partial void Request(this ILogger logger, string method, string target, int status);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Debug, Message = "bad request on {Endpoint}: {Status} {Reason}")]
    public static partial void BadRequest(this ILogger logger, string endpoint, int status, string reason);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Error, Message = "handler for {Method} {Path} failed")]
    public static partial void HandlerFailed(this ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Debug, Message = "{Method} {Path}: {Status} {Message}")]
    public static partial void HandlerError(this ILogger logger, string method, string path, int status, string message);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Warning, Message = "handler for {Method} {Path} failed after the response started; closing the connection")]
    public static partial void HandlerFailedAfterStart(this ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Debug, Message = "{Method} {Path}: connection hijacked (upgrade: {Upgrade})")]
    public static partial void Hijacked(this ILogger logger, string method, string path, bool upgrade);

    [LoggerMessage(EventId = 6009, Level = LogLevel.Debug, Message = "TLS handshake with {Endpoint} failed: {Reason}")]
    public static partial void TlsFailed(this ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 6010, Level = LogLevel.Information, Message = "API server stopping: {Count} connection(s) in flight, waiting up to {Timeout}")]
    public static partial void Stopping(this ILogger logger, int count, TimeSpan timeout);

    [LoggerMessage(EventId = 6011, Level = LogLevel.Warning, Message = "API server stop timed out: closing {Count} connection(s) still in flight")]
    public static partial void StopTimedOut(this ILogger logger, int count);

    [LoggerMessage(EventId = 6012, Level = LogLevel.Warning, Message = "accepting on {Endpoint} failed")]
    public static partial void AcceptFailed(this ILogger logger, Exception exception, string endpoint);

    [LoggerMessage(EventId = 6013, Level = LogLevel.Debug, Message = "connection error: {Reason}")]
    public static partial void ConnectionError(this ILogger logger, string reason);
}
