namespace Quai.Images.Content;

/// <summary>The state of one in-progress (possibly abandoned) write.</summary>
/// <param name="Ref">The caller's ingest reference.</param>
/// <param name="Offset">How many bytes are written so far.</param>
/// <param name="Total">The expected total size, or 0 when unknown.</param>
/// <param name="StartedAt">When the ingest was first opened.</param>
/// <param name="UpdatedAt">When data was last written.</param>
public sealed record IngestStatus(string Ref, long Offset, long Total, DateTimeOffset StartedAt, DateTimeOffset UpdatedAt);
