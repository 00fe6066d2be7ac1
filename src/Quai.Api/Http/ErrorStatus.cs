namespace Quai.Api.Http;

/// <summary>
/// The one place where error kinds become HTTP statuses (moby's daemon/server/httpstatus/status.go).
/// </summary>
public static class ErrorStatus
{
    /// <summary>The HTTP status of an error kind.</summary>
    public static int ToStatusCode(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => 404,
        ErrorKind.Conflict => 409,
        ErrorKind.InvalidArgument => 400,
        ErrorKind.Unauthorized => 401,
        ErrorKind.Forbidden => 403,
        ErrorKind.Unavailable => 503,
        ErrorKind.NotModified => 304,
        ErrorKind.NotImplemented => 501,
        _ => 500,
    };

    /// <summary>The error kind of an HTTP status (for clients reading an error response back).</summary>
    public static ErrorKind FromStatusCode(int status) => status switch
    {
        404 => ErrorKind.NotFound,
        409 => ErrorKind.Conflict,
        400 => ErrorKind.InvalidArgument,
        401 => ErrorKind.Unauthorized,
        403 => ErrorKind.Forbidden,
        503 => ErrorKind.Unavailable,
        304 => ErrorKind.NotModified,
        501 => ErrorKind.NotImplemented,
        _ => ErrorKind.Internal,
    };

    /// <summary>The status and message an exception thrown by a handler is answered with.</summary>
    public static (int Status, string Message) FromException(Exception exception) => exception switch
    {
        ApiException api => (api.StatusCode, api.Message),
        // A handler that let a cancellation escape was cut off by the client or by shutdown.
        OperationCanceledException => (503, "the request was cancelled: " + exception.Message),
        _ => (500, exception.Message),
    };
}
