using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Quai.Oci;
using Quai.Oci.Image;

namespace Quai.Distribution.Push;

public sealed partial class ImagePusher
{
    private async Task PushBlobGatedAsync(SemaphoreSlim gate, RegistryEndpoint endpoint, string repository, Descriptor blob, PushOptions options, IProgress<PushProgress>? progress, CancellationToken cancellationToken)
    {
        var id = ShortId(blob.Digest);
        progress?.Report(new PushProgress(id, PushProgress.Waiting, 0, blob.Size));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var status = await PushBlobAsync(endpoint, repository, blob, options, progress, cancellationToken).ConfigureAwait(false);
            progress?.Report(new PushProgress(id, status, blob.Size, blob.Size));
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Makes the blob present in the repository; returns the final progress status.</summary>
    private async Task<string> PushBlobAsync(RegistryEndpoint endpoint, string repository, Descriptor blob, PushOptions options, IProgress<PushProgress>? progress, CancellationToken cancellationToken)
    {
        var what = $"blob {blob.Digest} to {endpoint.Domain}/{repository}";
        var blobUri = endpoint.Resolve($"v2/{repository}/blobs/{blob.Digest}");
        using (var head = await _client.SendAsync(endpoint, repository, "pull,push", () => new HttpRequestMessage(HttpMethod.Head, blobUri), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false))
        {
            if (head.IsSuccessStatusCode && (head.Content.Headers.ContentLength is null || head.Content.Headers.ContentLength == blob.Size))
            {
                return PushProgress.LayerAlreadyExists;
            }
            if (head.StatusCode != HttpStatusCode.NotFound && !head.IsSuccessStatusCode)
            {
                throw await RegistryClient.ErrorAsync(head, "check " + what, cancellationToken).ConfigureAwait(false);
            }
        }
        Uri? location = null;
        foreach (var from in options.MountFrom.Where(f => f != repository))
        {
            var mountUri = endpoint.Resolve($"v2/{repository}/blobs/uploads/?mount={Uri.EscapeDataString(blob.Digest.ToString())}&from={Uri.EscapeDataString(from)}");
            using var mount = await _client.SendAsync(endpoint, repository, "pull,push", () => new HttpRequestMessage(HttpMethod.Post, mountUri), HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            if (mount.StatusCode == HttpStatusCode.Created)
            {
                return PushProgress.MountedFromPrefix + from;
            }
            if (mount.StatusCode == HttpStatusCode.Accepted)
            {
                // The registry could not mount and opened an upload session instead: use it.
                location = LocationOf(mount, mountUri);
                break;
            }
            if (mount.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden))
            {
                throw await RegistryClient.ErrorAsync(mount, "mount " + what + " from " + from, cancellationToken).ConfigureAwait(false);
            }
        }
        if (location is null)
        {
            var startUri = endpoint.Resolve($"v2/{repository}/blobs/uploads/");
            using var start = await _client.SendAsync(endpoint, repository, "pull,push", () => new HttpRequestMessage(HttpMethod.Post, startUri) { Content = new ByteArrayContent([]) }, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            if (start.StatusCode != HttpStatusCode.Accepted)
            {
                throw await RegistryClient.ErrorAsync(start, "start upload of " + what, cancellationToken).ConfigureAwait(false);
            }
            location = LocationOf(start, startUri);
        }
        var id = ShortId(blob.Digest);
        long sent = 0;
        if (options.ChunkSize > 0 && blob.Size > options.ChunkSize)
        {
            while (sent < blob.Size)
            {
                var length = Math.Min(options.ChunkSize, blob.Size - sent);
                var chunkStart = sent;
                var patchUri = location;
                using var patch = await _client.SendAsync(endpoint, repository, "pull,push", () =>
                {
                    var r = new HttpRequestMessage(HttpMethod.Patch, patchUri) { Content = BlobContent(blob, chunkStart, length, progress, id) };
                    // spec.md#pushing-a-blob-in-chunks: Content-Range is "<start>-<end>", inclusive, without "bytes".
                    r.Content.Headers.TryAddWithoutValidation("Content-Range", string.Create(CultureInfo.InvariantCulture, $"{chunkStart}-{chunkStart + length - 1}"));
                    return r;
                }, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                if (patch.StatusCode != HttpStatusCode.Accepted)
                {
                    throw await RegistryClient.ErrorAsync(patch, $"upload chunk {chunkStart}-{chunkStart + length - 1} of {what}", cancellationToken).ConfigureAwait(false);
                }
                location = LocationOf(patch, patchUri);
                sent += length;
            }
        }
        var putUri = WithDigest(location, blob.Digest);
        var monolithic = sent == 0;
        using var put = await _client.SendAsync(endpoint, repository, "pull,push", () => new HttpRequestMessage(HttpMethod.Put, putUri)
        {
            Content = monolithic ? BlobContent(blob, 0, blob.Size, progress, id) : new ByteArrayContent([]),
        }, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (put.StatusCode != HttpStatusCode.Created)
        {
            throw await RegistryClient.ErrorAsync(put, "complete upload of " + what, cancellationToken).ConfigureAwait(false);
        }
        if (put.Headers.TryGetValues("Docker-Content-Digest", out var values) && Digest.TryParse(values.FirstOrDefault(), out var stored) && stored != blob.Digest && stored.Algorithm == blob.Digest.Algorithm)
        {
            throw new DistributionException(DistributionErrorKind.DigestMismatch, $"{what}: the registry stored {stored}");
        }
        return PushProgress.Pushed;
    }

    /// <summary>A stream of part of a stored blob, counting "Pushing" progress as it is read.</summary>
    private StreamContent BlobContent(Descriptor blob, long offset, long length, IProgress<PushProgress>? progress, string id)
    {
        var source = _store.OpenRead(blob.Digest);
        source.Seek(offset, SeekOrigin.Begin);
        var content = new StreamContent(new ProgressReadStream(source, length, offset, blob.Size, progress, id));
        content.Headers.ContentLength = length;
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    /// <summary>
    /// The Location of an upload response, relative or absolute (spec.md: "the Location header ...
    /// MAY be absolute or relative"), resolved against the request's URL.
    /// </summary>
    private static Uri LocationOf(HttpResponseMessage response, Uri requestUri)
    {
        var location = response.Headers.Location
            ?? throw new DistributionException(DistributionErrorKind.InvalidResponse, $"{requestUri}: upload response {(int)response.StatusCode} without a Location header");
        return location.IsAbsoluteUri ? location : new Uri(requestUri, location);
    }

    /// <summary>Adds digest=… to a Location that may already carry query parameters (docker's _state=…).</summary>
    private static Uri WithDigest(Uri location, Digest digest)
    {
        var builder = new UriBuilder(location);
        var query = builder.Query.TrimStart('?');
        builder.Query = (query.Length > 0 ? query + "&" : "") + "digest=" + Uri.EscapeDataString(digest.ToString());
        return builder.Uri;
    }
}
