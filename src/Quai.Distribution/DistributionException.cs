namespace Quai.Distribution;

/// <summary>A registry operation that failed, classified, with the registry's own error codes.</summary>
public sealed class DistributionException : Exception
{
    public DistributionException(DistributionErrorKind kind, string message, IReadOnlyList<string>? codes = null, int? status = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Codes = codes ?? [];
        Status = status;
    }

    public DistributionException()
        : this(DistributionErrorKind.InvalidResponse, "registry operation failed")
    {
    }

    public DistributionException(string message)
        : this(DistributionErrorKind.InvalidResponse, message)
    {
    }

    public DistributionException(string message, Exception innerException)
        : this(DistributionErrorKind.InvalidResponse, message, null, null, innerException)
    {
    }

    /// <summary>What kind of failure.</summary>
    public DistributionErrorKind Kind { get; }

    /// <summary>The spec error codes the registry sent ("MANIFEST_UNKNOWN", …), if any.</summary>
    public IReadOnlyList<string> Codes { get; }

    /// <summary>The HTTP status, when the failure came from a response.</summary>
    public int? Status { get; }
}
