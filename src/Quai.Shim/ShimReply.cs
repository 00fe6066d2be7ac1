namespace Quai.Shim;

/// <summary>The reply line to attach, resize, closeStdin and unknown requests.</summary>
public sealed record ShimReply
{
    /// <summary>True when the request was carried out.</summary>
    public bool Ok { get; init; }

    /// <summary>Why not, when <see cref="Ok"/> is false.</summary>
    public string? Error { get; init; }
}
