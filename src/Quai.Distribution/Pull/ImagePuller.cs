using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Quai.Images;
using Quai.Images.Content;
using Quai.Images.Store;
using Quai.Oci;
using Quai.Oci.Image;
using Quai.Oci.References;

namespace Quai.Distribution.Pull;

/// <summary>
/// Pulls an image into the content store (spec.md#pull): resolves the reference to a manifest by
/// Accept negotiation, verifies the manifest's digest, picks the platform from an index, then
/// streams config and layers into the store, a few at a time, resuming interrupted downloads with
/// Range requests and verifying every digest and size. Unpacking is the caller's (see
/// <see cref="PullOptions.LayerCommitted"/>).
/// </summary>
public sealed partial class ImagePuller
{
    /// <summary>The manifest media types accepted, most wanted first.</summary>
    public static readonly string[] ManifestAccept = [MediaTypes.OciIndex, MediaTypes.OciManifest, MediaTypes.DockerManifestList, MediaTypes.DockerManifest];

    private readonly RegistryClient _client;
    private readonly IContentStore _store;

    public ImagePuller(RegistryClient client, IContentStore store)
    {
        _client = client;
        _store = store;
    }

    /// <summary>Pulls <paramref name="reference"/> ("busybox" means docker.io/library/busybox:latest).</summary>
    public async Task<PullResult> PullAsync(ImageReference reference, PullOptions? options = null, IProgress<PullProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new PullOptions();
        reference = reference.WithDefaultTag();
        var endpoints = _client.Hosts.Resolve(reference.Domain, push: false);
        DistributionException? last = null;
        foreach (var endpoint in endpoints)
        {
            Descriptor root;
            byte[] body;
            try
            {
                (root, body) = await FetchManifestAsync(endpoint, reference.Path, reference.ManifestReference, reference.Digest, cancellationToken).ConfigureAwait(false);
            }
            catch (DistributionException e) when (endpoint.IsMirror && e.Kind is DistributionErrorKind.NotFound or DistributionErrorKind.Unavailable or DistributionErrorKind.Unauthorized)
            {
                // A mirror that lacks the image or is down: fall through to the next endpoint (docker does the same).
                last = e;
                continue;
            }
            return await PullFromAsync(endpoint, reference, root, body, options, progress, cancellationToken).ConfigureAwait(false);
        }
        throw last ?? new DistributionException(DistributionErrorKind.Unavailable, $"no endpoint for {reference}");
    }

    private async Task<PullResult> PullFromAsync(RegistryEndpoint endpoint, ImageReference reference, Descriptor root, byte[] body, PullOptions options, IProgress<PullProgress>? progress, CancellationToken cancellationToken)
    {
        await StoreBytesAsync(root.Digest, body, cancellationToken).ConfigureAwait(false);
        var manifestDescriptor = root;
        var manifestBody = body;
        if (MediaTypes.IsIndex(root.MediaType))
        {
            var index = Parse(body, OciJsonContext.Default.ImageIndex, root.Digest);
            var platform = options.Platform ?? PlatformSelector.Default;
            var chosen = SelectPlatform(index, platform)
                ?? throw new DistributionException(DistributionErrorKind.PlatformNotFound, $"{reference.FamiliarString}: no manifest for platform {PlatformText(platform)} in the index (it has {string.Join(", ", index.Manifests.Where(m => m.Platform is not null).Select(m => PlatformText(m.Platform!)))})");
            (manifestDescriptor, manifestBody) = await FetchManifestAsync(endpoint, reference.Path, chosen.Digest.ToString(), chosen.Digest, cancellationToken).ConfigureAwait(false);
            if (manifestDescriptor.Size != chosen.Size)
            {
                throw new DistributionException(DistributionErrorKind.DigestMismatch, $"{reference.FamiliarString}: manifest {chosen.Digest} is {manifestDescriptor.Size} bytes, the index says {chosen.Size}");
            }
            manifestDescriptor.Platform = chosen.Platform;
            await StoreBytesAsync(manifestDescriptor.Digest, manifestBody, cancellationToken).ConfigureAwait(false);
        }
        if (!MediaTypes.IsManifest(manifestDescriptor.MediaType))
        {
            throw new DistributionException(DistributionErrorKind.InvalidResponse, $"{reference.FamiliarString}: unsupported manifest media type \"{manifestDescriptor.MediaType}\"");
        }
        var manifest = Parse(manifestBody, OciJsonContext.Default.Manifest, manifestDescriptor.Digest);
        using var gate = new SemaphoreSlim(Math.Max(1, _client.Options.MaxConcurrency));
        foreach (var layer in manifest.Layers)
        {
            progress?.Report(new PullProgress(ShortId(layer.Digest), PullProgress.PullingFsLayer, 0, layer.Size));
        }
        var tasks = new List<Task>
        {
            FetchBlobGatedAsync(gate, endpoint, reference.Path, manifest.Config, null, cancellationToken),
        };
        for (var i = 0; i < manifest.Layers.Count; i++)
        {
            var layer = manifest.Layers[i];
            var position = i;
            tasks.Add(Task.Run(async () =>
            {
                await FetchBlobGatedAsync(gate, endpoint, reference.Path, layer, progress, cancellationToken).ConfigureAwait(false);
                if (options.LayerCommitted is { } hook)
                {
                    await hook(layer, position, cancellationToken).ConfigureAwait(false);
                }
            }, cancellationToken));
        }
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return new PullResult(reference, root, manifestDescriptor, manifest, manifest.Layers);
    }

    /// <summary>
    /// GET /v2/&lt;name&gt;/manifests/&lt;reference&gt; with every manifest type in Accept; the bytes
    /// are checked against the pinned digest, else against Docker-Content-Digest (spec.md#pulling-manifests).
    /// </summary>
    private async Task<(Descriptor Descriptor, byte[] Body)> FetchManifestAsync(RegistryEndpoint endpoint, string repository, string manifestReference, Digest? pinned, CancellationToken cancellationToken)
    {
        var uri = endpoint.Resolve($"v2/{repository}/manifests/{manifestReference}");
        var response = await _client.SendAsync(endpoint, repository, "pull", () =>
        {
            var r = new HttpRequestMessage(HttpMethod.Get, uri);
            foreach (var accept in ManifestAccept)
            {
                r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
            }
            return r;
        }, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            var what = $"{endpoint.Domain}/{repository}:{manifestReference}";
            if (!response.IsSuccessStatusCode)
            {
                throw await RegistryClient.ErrorAsync(response, $"manifest for {what}", cancellationToken).ConfigureAwait(false);
            }
            if (response.Content.Headers.ContentLength > ContentLimits.MaxJsonBlobSize)
            {
                throw new DistributionException(DistributionErrorKind.InvalidResponse, $"manifest for {what} is {response.Content.Headers.ContentLength} bytes, more than the {ContentLimits.MaxJsonBlobSize} accepted");
            }
            var body = await ReadBoundedAsync(response.Content, ContentLimits.MaxJsonBlobSize, what, cancellationToken).ConfigureAwait(false);
            var headerDigest = response.Headers.TryGetValues("Docker-Content-Digest", out var values) && Digest.TryParse(values.FirstOrDefault(), out var hd) ? hd : (Digest?)null;
            var algorithm = pinned?.Algorithm ?? headerDigest?.Algorithm ?? Digest.Sha256;
            var digest = Digest.FromHash(algorithm, Hash(algorithm, body));
            if (pinned is { } p && p != digest)
            {
                throw new DistributionException(DistributionErrorKind.DigestMismatch, $"manifest for {what} has digest {digest}, not the {p} asked for: the registry served other content");
            }
            if (headerDigest is { } h && h != digest)
            {
                throw new DistributionException(DistributionErrorKind.DigestMismatch, $"manifest for {what} has digest {digest} but the registry says {h}");
            }
            var mediaType = MediaTypeOf(body, response.Content.Headers.ContentType?.MediaType);
            return (new Descriptor { MediaType = mediaType, Digest = digest, Size = body.LongLength }, body);
        }
    }

    /// <summary>The body's own mediaType wins; else Content-Type; else guessed from the shape.</summary>
    private static string MediaTypeOf(byte[] body, string? contentType)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("mediaType", out var mt) && mt.GetString() is { Length: > 0 } m)
            {
                return m;
            }
            if (contentType is { Length: > 0 } && contentType != "application/json" && contentType != "text/plain")
            {
                return contentType;
            }
            return doc.RootElement.TryGetProperty("manifests", out _) ? MediaTypes.OciIndex : MediaTypes.OciManifest;
        }
        catch (JsonException e)
        {
            throw new DistributionException(DistributionErrorKind.InvalidResponse, $"manifest is not valid JSON: {e.Message}", null, null, e);
        }
    }

    private static T Parse<T>(byte[] body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, Digest digest)
    {
        try
        {
            return JsonSerializer.Deserialize(body, type) ?? throw new JsonException("null document");
        }
        catch (JsonException e)
        {
            throw new DistributionException(DistributionErrorKind.InvalidResponse, $"{typeof(T).Name} {digest} is not valid: {e.Message}", null, null, e);
        }
    }

    private Task StoreBytesAsync(Digest digest, byte[] body, CancellationToken cancellationToken) =>
        _store.WriteBlobAsync(digest, body.LongLength, offset => Task.FromResult<Stream>(new MemoryStream(body, (int)offset, body.Length - (int)offset, writable: false)), null, cancellationToken);

    /// <summary>
    /// The index entry for a platform, matched with the image store's normalisation (x86_64 = amd64,
    /// arm64's default variant v8…) so that pull and run agree on what fits.
    /// </summary>
    public static Descriptor? SelectPlatform(ImageIndex index, Platform platform) =>
        index.Manifests.FirstOrDefault(m => MediaTypes.IsManifest(m.MediaType) && PlatformSelector.Matches(platform, m.Platform));

    private static string PlatformText(Platform p) => PlatformSelector.Format(p);

    /// <summary>docker's short layer id: the first 12 hex characters of the digest.</summary>
    public static string ShortId(Digest digest) => digest.Encoded[..12];

    private static byte[] Hash(string algorithm, byte[] data)
    {
        using var hasher = Digest.CreateHasher(algorithm);
        hasher.AppendData(data);
        return hasher.GetHashAndReset();
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, long max, string what, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16384];
            int n;
            while ((n = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + n > max)
                {
                    throw new DistributionException(DistributionErrorKind.InvalidResponse, $"manifest for {what} is larger than the {max} bytes accepted");
                }
                buffer.Write(chunk, 0, n);
            }
            return buffer.ToArray();
        }
    }

    private static bool IsTransient(Exception e) => e switch
    {
        OperationCanceledException => false,
        DistributionException d => d.Kind is DistributionErrorKind.Unavailable or DistributionErrorKind.TooManyRequests,
        ImageException i => i.Kind is ImageErrorKind.FailedPrecondition or ImageErrorKind.Unavailable,
        HttpRequestException or IOException => true,
        _ => false,
    };

    /// <summary>True when a status means the request may succeed later.</summary>
    private static bool IsRetryableStatus(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError;
}
