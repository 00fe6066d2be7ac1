using System.Net;

namespace Quai.Cli.Api;

/// <summary>The daemon answered with an error status; <see cref="Exception.Message"/> is its "message".</summary>
public sealed class DockerApiException(HttpStatusCode status, string message) : Exception(message)
{
    /// <summary>The HTTP status (404 not found, 409 conflict, ...).</summary>
    public HttpStatusCode Status { get; } = status;
}
