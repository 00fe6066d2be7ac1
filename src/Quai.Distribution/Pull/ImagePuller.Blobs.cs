using System.Net;
using System.Net.Http.Headers;
using Quai.Oci.Image;

namespace Quai.Distribution.Pull;

public sealed partial class ImagePuller
{
    /// <summary>Fetches one blob under the concurrency gate, with progress for layers (config: none, as docker).</summary>
    private async Task FetchBlobGatedAsync(SemaphoreSlim gate, RegistryEndpoint endpoint, string repository, Descriptor blob, IProgress<PullProgress>? progress, CancellationToken cancellationToken)
    {
        var id = ShortId(blob.Digest);
        if (await _store.InfoAsync(blob.Digest, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            if (existing.Size != blob.Size)
            {
                throw new DistributionException(DistributionErrorKind.DigestMismatch, $"blob {blob.Digest} in the store is {existing.Size} bytes, the manifest says {blob.Size}");
            }
            progress?.Report(new PullProgress(id, PullProgress.AlreadyExists, blob.Size, blob.Size));
            return;
        }
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var reporter = progress is null ? null : new ThrottledProgress(progress, id, blob.Size);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await _store.WriteBlobAsync(blob.Digest, blob.Size, offset => OpenBlobAsync(endpoint, repository, blob, offset, cancellationToken), reporter, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (Exception e) when (attempt < _client.Options.Retries && IsTransient(e))
                {
                    progress?.Report(new PullProgress(id, PullProgress.Retrying, 0, blob.Size));
                    await Task.Delay(_client.Options.RetryDelay * Math.Pow(2, attempt), cancellationToken).ConfigureAwait(false);
                }
            }
            // The store verified size and digest at commit; say so in docker's words.
            progress?.Report(new PullProgress(id, PullProgress.VerifyingChecksum, blob.Size, blob.Size));
            progress?.Report(new PullProgress(id, PullProgress.DownloadComplete, blob.Size, blob.Size));
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// GET the blob from <paramref name="offset"/>: Range "bytes=offset-" when resuming. A server
    /// that ignores Range (200) is read past the bytes already held; sizes are cross-checked.
    /// </summary>
    private async Task<Stream> OpenBlobAsync(RegistryEndpoint endpoint, string repository, Descriptor blob, long offset, CancellationToken cancellationToken)
    {
        var uri = endpoint.Resolve($"v2/{repository}/blobs/{blob.Digest}");
        var response = await _client.SendAsync(endpoint, repository, "pull", () =>
        {
            var r = new HttpRequestMessage(HttpMethod.Get, uri);
            if (offset > 0)
            {
                r.Headers.Range = new RangeHeaderValue(offset, null);
            }
            return r;
        }, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var what = $"blob {blob.Digest} of {endpoint.Domain}/{repository}";
        if (!response.IsSuccessStatusCode)
        {
            var error = await RegistryClient.ErrorAsync(response, what, cancellationToken).ConfigureAwait(false);
            throw IsRetryableStatus(response.StatusCode) ? new DistributionException(DistributionErrorKind.Unavailable, error.Message, error.Codes, error.Status, error) : error;
        }
        var length = response.Content.Headers.ContentLength;
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.PartialContent)
        {
            var range = response.Content.Headers.ContentRange;
            if (range?.From != offset || (range.Length is { } total && total != blob.Size))
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                response.Dispose();
                throw new DistributionException(DistributionErrorKind.InvalidResponse, $"{what}: asked for bytes from {offset}, got range {range}");
            }
            return stream;
        }
        if (length is { } l && l != blob.Size)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            response.Dispose();
            throw new DistributionException(DistributionErrorKind.DigestMismatch, $"{what} is {l} bytes, the manifest says {blob.Size}");
        }
        // 200 to a range request: skip what the ingest already holds.
        var skip = new byte[65536];
        var left = offset;
        while (left > 0)
        {
            var n = await stream.ReadAsync(skip.AsMemory(0, (int)Math.Min(skip.Length, left)), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException($"{what}: the response ended before offset {offset}");
            }
            left -= n;
        }
        return stream;
    }

    /// <summary>Turns the store's byte counts into "Downloading" events, at most one per 256 KiB.</summary>
    private sealed class ThrottledProgress : IProgress<long>
    {
        private const long Step = 256 * 1024;
        private readonly IProgress<PullProgress> _inner;
        private readonly string _id;
        private readonly long _total;
        private long _last = -Step;

        public ThrottledProgress(IProgress<PullProgress> inner, string id, long total)
        {
            _inner = inner;
            _id = id;
            _total = total;
        }

        public void Report(long value)
        {
            if (value - _last >= Step || value == _total)
            {
                _last = value;
                _inner.Report(new PullProgress(_id, PullProgress.Downloading, value, _total));
            }
        }
    }
}
