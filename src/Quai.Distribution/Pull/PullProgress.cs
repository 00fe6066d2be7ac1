namespace Quai.Distribution.Pull;

/// <summary>
/// One progress event of a pull, in docker's progress-stream vocabulary (the JSON messages of
/// POST /images/create): the layer's short id, a status and the bytes so far.
/// </summary>
/// <param name="Id">The first 12 hex characters of the layer digest, as docker shows it.</param>
/// <param name="Status">"Pulling fs layer", "Already exists", "Downloading", "Verifying Checksum", "Download complete", "Retrying".</param>
/// <param name="Current">Bytes held so far.</param>
/// <param name="Total">The layer's size.</param>
public sealed record PullProgress(string Id, string Status, long Current, long Total)
{
    public const string PullingFsLayer = "Pulling fs layer";
    public const string AlreadyExists = "Already exists";
    public const string Downloading = "Downloading";
    public const string VerifyingChecksum = "Verifying Checksum";
    public const string DownloadComplete = "Download complete";
    public const string Retrying = "Retrying";
}
