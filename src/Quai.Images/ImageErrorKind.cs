namespace Quai.Images;

/// <summary>
/// The closed set of failure kinds Quai.Images reports (STYLE.md §5); the API maps each to one
/// HTTP status and the CLI to one exit code.
/// </summary>
public enum ImageErrorKind
{
    /// <summary>The blob, image, reference or snapshot does not exist (HTTP 404).</summary>
    NotFound,

    /// <summary>The thing being created exists already (HTTP 409).</summary>
    AlreadyExists,

    /// <summary>The operation conflicts with current state, e.g. an image used by a container (HTTP 409).</summary>
    Conflict,

    /// <summary>The caller's input is malformed or refused, e.g. a hostile tar entry (HTTP 400).</summary>
    InvalidArgument,

    /// <summary>Data failed verification: digest or size mismatch (HTTP 400 for uploads, 502 for pulls).</summary>
    FailedPrecondition,

    /// <summary>The resource is busy, e.g. an ingest locked by another writer; retrying may work (HTTP 503).</summary>
    Unavailable,
}
