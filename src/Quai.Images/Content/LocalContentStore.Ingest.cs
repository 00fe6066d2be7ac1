using System.Globalization;
using Quai.Oci;

namespace Quai.Images.Content;

public sealed partial class LocalContentStore
{
    /// <inheritdoc />
    public async Task<IContentWriter> OpenWriterAsync(string refKey, Digest? expected = null, long? expectedSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(refKey);
        if (expected is { } e && File.Exists(BlobPath(e)))
        {
            throw new ImageException(ImageErrorKind.AlreadyExists, $"content {e} already exists in {Root}");
        }
        if (!_lockedRefs.TryAdd(refKey, 0))
        {
            throw new ImageException(ImageErrorKind.Unavailable, $"ingest \"{refKey}\" is in use by another writer; retry when it finishes or abort it");
        }
        try
        {
            var dir = IngestDir(refKey);
            Directory.CreateDirectory(dir);
            var refFile = Path.Combine(dir, "ref");
            if (!File.Exists(refFile))
            {
                await File.WriteAllTextAsync(refFile, refKey, cancellationToken).ConfigureAwait(false);
                await File.WriteAllTextAsync(Path.Combine(dir, "startedat"), DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            }
            if (expectedSize is { } total)
            {
                await File.WriteAllTextAsync(Path.Combine(dir, "total"), total.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            }
            FileStream data;
            try
            {
                // FileShare.None takes an exclusive flock(2) on the data file, so a writer in another
                // process (a second daemon on the same root) is refused too.
                data = new FileStream(Path.Combine(dir, "data"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            }
            catch (IOException ex)
            {
                throw new ImageException(ImageErrorKind.Unavailable, $"ingest \"{refKey}\" is locked by another process; retry when it finishes or abort it", ex);
            }
            var writer = new LocalContentWriter(this, refKey, dir, data, expected, expectedSize);
            try
            {
                await writer.ResumeAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await writer.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            return writer;
        }
        catch
        {
            _lockedRefs.TryRemove(refKey, out _);
            throw;
        }
    }

    /// <summary>Called by a writer when it is disposed.</summary>
    internal void Release(string refKey) => _lockedRefs.TryRemove(refKey, out _);

    /// <inheritdoc />
    public async Task<IReadOnlyList<IngestStatus>> ListIngestsAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<IngestStatus>();
        foreach (var dir in Directory.EnumerateDirectories(IngestRoot))
        {
            var status = await ReadIngestStatusAsync(dir, cancellationToken).ConfigureAwait(false);
            if (status is not null)
            {
                list.Add(status);
            }
        }
        return list;
    }

    private static async Task<IngestStatus?> ReadIngestStatusAsync(string dir, CancellationToken cancellationToken)
    {
        var refFile = Path.Combine(dir, "ref");
        if (!File.Exists(refFile))
        {
            return null;
        }
        var refKey = await File.ReadAllTextAsync(refFile, cancellationToken).ConfigureAwait(false);
        var data = new FileInfo(Path.Combine(dir, "data"));
        var started = DateTimeOffset.TryParse(await ReadOptionalAsync(Path.Combine(dir, "startedat"), cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var s) ? s : DateTimeOffset.MinValue;
        var total = long.TryParse(await ReadOptionalAsync(Path.Combine(dir, "total"), cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture, out var t) ? t : 0;
        return new IngestStatus(refKey, data.Exists ? data.Length : 0, total, started, data.Exists ? data.LastWriteTimeUtc : started);
    }

    private static async Task<string?> ReadOptionalAsync(string path, CancellationToken cancellationToken) =>
        File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false) : null;

    /// <inheritdoc />
    public Task AbortAsync(string refKey, CancellationToken cancellationToken = default)
    {
        if (!_lockedRefs.TryAdd(refKey, 0))
        {
            throw new ImageException(ImageErrorKind.Unavailable, $"ingest \"{refKey}\" is in use by a writer; it cannot be aborted now");
        }
        try
        {
            var dir = IngestDir(refKey);
            if (!Directory.Exists(dir))
            {
                throw ImageException.NotFound($"no ingest \"{refKey}\" in {Root}");
            }
            Directory.Delete(dir, recursive: true);
            return Task.CompletedTask;
        }
        finally
        {
            _lockedRefs.TryRemove(refKey, out _);
        }
    }

    /// <inheritdoc />
    public Task<ContentInfo> WriteBlobAsync(Digest digest, long size, Func<long, Task<Stream>> open, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var lazy = _downloads.GetOrAdd(digest, d => new Lazy<Task<ContentInfo>>(() => DownloadAsync(d, size, open, progress, cancellationToken)));
        // Others await the first caller's task but may stop waiting on their own cancellation.
        return lazy.Value.WaitAsync(cancellationToken);
    }

    private async Task<ContentInfo> DownloadAsync(Digest digest, long size, Func<long, Task<Stream>> open, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        try
        {
            if (await InfoAsync(digest, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                progress?.Report(existing.Size);
                return existing;
            }
            var writer = await OpenWriterAsync("blob-" + digest, digest, size, cancellationToken).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                if (writer.Offset > size)
                {
                    await writer.TruncateAsync(cancellationToken).ConfigureAwait(false);
                }
                progress?.Report(writer.Offset);
                if (writer.Offset < size)
                {
                    var source = await open(writer.Offset).ConfigureAwait(false);
                    await using (source.ConfigureAwait(false))
                    {
                        var buffer = new byte[1 << 16];
                        int n;
                        while ((n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                        {
                            if (writer.Offset + n > size)
                            {
                                await writer.TruncateAsync(cancellationToken).ConfigureAwait(false);
                                throw new ImageException(ImageErrorKind.FailedPrecondition, $"content {digest}: the source sent more than the expected {size} bytes");
                            }
                            await writer.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                            progress?.Report(writer.Offset);
                        }
                    }
                }
                return await writer.CommitAsync(size, digest, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _downloads.TryRemove(digest, out _);
        }
    }
}
