namespace Quai.Engine;

/// <summary>
/// The closed set of ways an engine operation fails (moby's errdefs). The API maps each kind to an
/// HTTP status in one place, the CLI to an exit code.
/// </summary>
public enum EngineErrorKind
{
    /// <summary>A container, image, volume or exec that does not exist (404).</summary>
    NotFound,
    /// <summary>The object's state forbids the operation, or a name is taken (409).</summary>
    Conflict,
    /// <summary>The request itself is wrong (400).</summary>
    InvalidArgument,
    /// <summary>Credentials missing or refused (401).</summary>
    Unauthorized,
    /// <summary>Not permitted (403).</summary>
    Forbidden,
    /// <summary>A dependency (registry, runtime) is unreachable (503).</summary>
    Unavailable,
    /// <summary>Nothing to do: already started/stopped (304).</summary>
    NotModified,
    /// <summary>A bug or an unexpected system failure (500).</summary>
    Internal,
}
