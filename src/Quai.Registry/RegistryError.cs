using System.Net;

namespace Quai.Registry;

/// <summary>
/// The error codes of the distribution spec (spec.md#error-codes) with the HTTP status each is
/// sent with; the one place where a failure kind becomes a status.
/// </summary>
public static class RegistryError
{
    public const string BlobUnknown = "BLOB_UNKNOWN";
    public const string BlobUploadInvalid = "BLOB_UPLOAD_INVALID";
    public const string BlobUploadUnknown = "BLOB_UPLOAD_UNKNOWN";
    public const string DigestInvalid = "DIGEST_INVALID";
    public const string ManifestBlobUnknown = "MANIFEST_BLOB_UNKNOWN";
    public const string ManifestInvalid = "MANIFEST_INVALID";
    public const string ManifestUnknown = "MANIFEST_UNKNOWN";
    public const string NameInvalid = "NAME_INVALID";
    public const string NameUnknown = "NAME_UNKNOWN";
    public const string SizeInvalid = "SIZE_INVALID";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string Denied = "DENIED";
    public const string Unsupported = "UNSUPPORTED";
    public const string TooManyRequests = "TOOMANYREQUESTS";

    /// <summary>The status a code is sent with (as docker's registry does: registry/api/errcode).</summary>
    public static HttpStatusCode StatusOf(string code) => code switch
    {
        BlobUnknown or BlobUploadUnknown or ManifestUnknown or NameUnknown => HttpStatusCode.NotFound,
        Unauthorized => HttpStatusCode.Unauthorized,
        Denied => HttpStatusCode.Forbidden,
        Unsupported => HttpStatusCode.MethodNotAllowed,
        TooManyRequests => HttpStatusCode.TooManyRequests,
        _ => HttpStatusCode.BadRequest,
    };
}
