using System.Net;

namespace Quai.Registry;

/// <summary>A request the registry refuses, carrying a spec error code (spec.md#error-codes).</summary>
public sealed class RegistryException : Exception
{
    public RegistryException(string code, string message, string? detail = null, HttpStatusCode? status = null)
        : base(message)
    {
        Code = code;
        Detail = detail;
        Status = status ?? RegistryError.StatusOf(code);
    }

    public RegistryException()
        : this(RegistryError.Unsupported, "unsupported")
    {
    }

    public RegistryException(string message)
        : this(RegistryError.Unsupported, message)
    {
    }

    public RegistryException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = RegistryError.Unsupported;
        Status = HttpStatusCode.BadRequest;
    }

    /// <summary>The spec error code, e.g. MANIFEST_UNKNOWN.</summary>
    public string Code { get; }

    /// <summary>Optional detail: the digest, name or range concerned.</summary>
    public string? Detail { get; }

    /// <summary>The HTTP status the error is sent with.</summary>
    public HttpStatusCode Status { get; }
}
