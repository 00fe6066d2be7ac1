namespace Quai.Distribution.Push;

/// <summary>One progress event of a push, in docker's vocabulary (the JSON messages of POST /images/{name}/push).</summary>
/// <param name="Id">The first 12 hex characters of the blob digest.</param>
/// <param name="Status">"Preparing", "Waiting", "Pushing", "Pushed", "Layer already exists", "Mounted from &lt;repo&gt;".</param>
/// <param name="Current">Bytes sent so far.</param>
/// <param name="Total">The blob's size.</param>
public sealed record PushProgress(string Id, string Status, long Current, long Total)
{
    public const string Preparing = "Preparing";
    public const string Waiting = "Waiting";
    public const string Pushing = "Pushing";
    public const string Pushed = "Pushed";
    public const string LayerAlreadyExists = "Layer already exists";
    public const string MountedFromPrefix = "Mounted from ";
}
