using System.Net;
using System.Net.Http.Headers;
using Quai.Images.Content;
using Quai.Oci;
using Quai.Oci.Image;
using Quai.Oci.References;

namespace Quai.Distribution.Push;

/// <summary>
/// Pushes an image from the content store (spec.md#push): every blob not already in the
/// repository (HEAD) is mounted from another repository or uploaded, monolithically or in chunks,
/// then the manifests, children before the index, each with its media type; the tag last.
/// </summary>
public sealed partial class ImagePusher
{
    private readonly RegistryClient _client;
    private readonly IContentProvider _store;

    public ImagePusher(RegistryClient client, IContentProvider store)
    {
        _client = client;
        _store = store;
    }

    /// <summary>
    /// Pushes the image whose root (manifest or index) is <paramref name="root"/> to
    /// <paramref name="reference"/> (its tag, or its digest if it has no tag). Returns the root
    /// descriptor as the registry stored it.
    /// </summary>
    public async Task<Descriptor> PushAsync(ImageReference reference, Descriptor root, PushOptions? options = null, IProgress<PushProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new PushOptions();
        var endpoint = _client.Hosts.Resolve(reference.Domain, push: true)[^1];
        var target = reference.Tag ?? reference.Digest?.ToString() ?? root.Digest.ToString();
        await PushManifestTreeAsync(endpoint, reference.Path, root, target, options, progress, cancellationToken).ConfigureAwait(false);
        return root;
    }

    private async Task PushManifestTreeAsync(RegistryEndpoint endpoint, string repository, Descriptor descriptor, string target, PushOptions options, IProgress<PushProgress>? progress, CancellationToken cancellationToken)
    {
        var body = await _store.ReadAllBytesAsync(descriptor.Digest, ContentLimits.MaxJsonBlobSize, cancellationToken).ConfigureAwait(false);
        if (MediaTypes.IsIndex(descriptor.MediaType))
        {
            var index = System.Text.Json.JsonSerializer.Deserialize(body, OciJsonContext.Default.ImageIndex)!;
            foreach (var child in index.Manifests)
            {
                if (await _store.InfoAsync(child.Digest, cancellationToken).ConfigureAwait(false) is null)
                {
                    // A partial pull keeps only one platform; the registry must already hold the others.
                    continue;
                }
                await PushManifestTreeAsync(endpoint, repository, child, child.Digest.ToString(), options, progress, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (MediaTypes.IsManifest(descriptor.MediaType))
        {
            var manifest = System.Text.Json.JsonSerializer.Deserialize(body, OciJsonContext.Default.Manifest)!;
            var layers = manifest.Layers.Where(l => l.Urls is not { Count: > 0 }).ToList();
            foreach (var layer in layers)
            {
                progress?.Report(new PushProgress(ShortId(layer.Digest), PushProgress.Preparing, 0, layer.Size));
            }
            using var gate = new SemaphoreSlim(Math.Max(1, _client.Options.MaxConcurrency));
            var tasks = layers.Select(l => PushBlobGatedAsync(gate, endpoint, repository, l, options, progress, cancellationToken)).ToList();
            tasks.Add(PushBlobGatedAsync(gate, endpoint, repository, manifest.Config, options, null, cancellationToken));
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        else
        {
            throw new DistributionException(DistributionErrorKind.InvalidArgument, $"cannot push {descriptor.Digest}: media type \"{descriptor.MediaType}\" is neither a manifest nor an index");
        }
        await PutManifestAsync(endpoint, repository, descriptor, body, target, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>PUT /v2/&lt;name&gt;/manifests/&lt;reference&gt; with the manifest's media type (spec.md#pushing-manifests).</summary>
    private async Task PutManifestAsync(RegistryEndpoint endpoint, string repository, Descriptor descriptor, byte[] body, string target, CancellationToken cancellationToken)
    {
        var uri = endpoint.Resolve($"v2/{repository}/manifests/{target}");
        using var response = await _client.SendAsync(endpoint, repository, "pull,push", () => new HttpRequestMessage(HttpMethod.Put, uri)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue(descriptor.MediaType) } },
        }, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created && !response.IsSuccessStatusCode)
        {
            throw await RegistryClient.ErrorAsync(response, $"push manifest {descriptor.Digest} to {endpoint.Domain}/{repository}:{target}", cancellationToken).ConfigureAwait(false);
        }
        if (response.Headers.TryGetValues("Docker-Content-Digest", out var values) && Digest.TryParse(values.FirstOrDefault(), out var stored) && stored != descriptor.Digest && stored.Algorithm == descriptor.Digest.Algorithm)
        {
            throw new DistributionException(DistributionErrorKind.DigestMismatch, $"{endpoint.Domain}/{repository}:{target}: the registry stored manifest {stored}, not the {descriptor.Digest} pushed");
        }
    }

    /// <summary>docker's short id.</summary>
    private static string ShortId(Digest digest) => digest.Encoded[..12];
}
