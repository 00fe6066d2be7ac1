namespace Quai.Distribution;

/// <summary>One place a registry's API is reached: a base URL and whether it is a mirror.</summary>
/// <param name="Domain">The domain of the image reference ("docker.io").</param>
/// <param name="BaseUri">The API's base URL ("https://registry-1.docker.io/").</param>
/// <param name="IsMirror">True for a pull-through mirror.</param>
public sealed record RegistryEndpoint(string Domain, Uri BaseUri, bool IsMirror)
{
    /// <summary>The URL of an API path ("v2/library/busybox/manifests/latest").</summary>
    public Uri Resolve(string path) => new(BaseUri, path);
}
