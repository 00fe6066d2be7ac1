namespace Quai.Api.Http;

/// <summary>
/// A request that breaks HTTP/1.1's syntax or the server's limits; answered with its status and a
/// JSON message, then the connection is closed (RFC 9112 §9.6 — the framing can no longer be trusted).
/// </summary>
public sealed class BadHttpRequestException : IOException
{
    /// <summary>Creates the error with the status to answer.</summary>
    public BadHttpRequestException(int statusCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
    }

    public BadHttpRequestException()
        : this(400, "bad request")
    {
    }

    public BadHttpRequestException(string message)
        : this(400, message)
    {
    }

    public BadHttpRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = 400;
    }

    /// <summary>The HTTP status to answer with (400, 414, 431, 501, 505).</summary>
    public int StatusCode { get; }
}
