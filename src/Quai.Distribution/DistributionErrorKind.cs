namespace Quai.Distribution;

/// <summary>
/// The closed set of failures the registry client reports (STYLE.md §5), from HTTP statuses and
/// the distribution spec's error codes (spec.md#error-codes).
/// </summary>
public enum DistributionErrorKind
{
    /// <summary>The repository, manifest or blob does not exist (404, NAME_UNKNOWN, MANIFEST_UNKNOWN, BLOB_UNKNOWN).</summary>
    NotFound,

    /// <summary>No or wrong credentials (401, UNAUTHORIZED).</summary>
    Unauthorized,

    /// <summary>Authenticated but not allowed (403, DENIED).</summary>
    Denied,

    /// <summary>The registry refused what was sent (400: MANIFEST_INVALID, DIGEST_INVALID, NAME_INVALID…).</summary>
    InvalidArgument,

    /// <summary>Content did not match its digest or size.</summary>
    DigestMismatch,

    /// <summary>Rate limited (429, TOOMANYREQUESTS).</summary>
    TooManyRequests,

    /// <summary>The registry could not be reached or failed (5xx, connection errors); retrying may work.</summary>
    Unavailable,

    /// <summary>The registry answered something this client cannot use (unexpected status or body).</summary>
    InvalidResponse,

    /// <summary>No manifest in an index matches the requested platform.</summary>
    PlatformNotFound,
}
