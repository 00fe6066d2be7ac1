namespace Quai.Api.Http;

/// <summary>An error an API handler reports to the client: its kind picks the HTTP status, its message becomes <c>{"message": ...}</c>.</summary>
public class ApiException : Exception
{
    /// <summary>Creates an error of the given kind.</summary>
    public ApiException(ErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public ApiException()
        : this(ErrorKind.Internal, "internal error")
    {
    }

    public ApiException(string message)
        : this(ErrorKind.Internal, message)
    {
    }

    public ApiException(string message, Exception innerException)
        : this(ErrorKind.Internal, message, innerException)
    {
    }

    /// <summary>The error's class, mapped to an HTTP status by <see cref="ErrorStatus.ToStatusCode"/>.</summary>
    public ErrorKind Kind { get; }

    /// <summary>The HTTP status this error is sent with.</summary>
    public int StatusCode => ErrorStatus.ToStatusCode(Kind);
}
