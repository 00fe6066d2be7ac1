namespace Quai.Api.Http;

/// <summary>
/// The closed set of error classes an API handler can report, after moby's errdefs; each maps to
/// exactly one HTTP status in <see cref="ErrorStatus"/>.
/// </summary>
public enum ErrorKind
{
    /// <summary>An unexpected failure (500).</summary>
    Internal,

    /// <summary>The named object (container, image, volume, network, exec) does not exist (404).</summary>
    NotFound,

    /// <summary>The request conflicts with the object's state or name (409).</summary>
    Conflict,

    /// <summary>A parameter or body is invalid (400).</summary>
    InvalidArgument,

    /// <summary>Authentication is required or failed (401).</summary>
    Unauthorized,

    /// <summary>Authenticated, but the action is not allowed (403).</summary>
    Forbidden,

    /// <summary>A needed service or resource is unavailable for now; retrying may work (503).</summary>
    Unavailable,

    /// <summary>Nothing to do: the object is already in the asked state (304, e.g. start of a running container).</summary>
    NotModified,

    /// <summary>The feature exists in Docker but not (yet) in Quai (501).</summary>
    NotImplemented,
}
