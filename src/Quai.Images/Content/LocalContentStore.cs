using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Quai.Linux;
using Quai.Linux.Interop;
using Quai.Oci;

namespace Quai.Images.Content;

/// <summary>
/// A content store on the local file system, laid out as containerd's
/// (plugins/content/local): <c>root/blobs/&lt;alg&gt;/&lt;hex&gt;</c> for committed blobs and
/// <c>root/ingest/&lt;sha256 of ref&gt;/{data,ref,startedat,total}</c> for writes in progress.
/// A blob only appears under blobs/ after its digest was verified, by an atomic rename.
/// </summary>
public sealed partial class LocalContentStore : IContentStore
{
    private readonly ConcurrentDictionary<string, byte> _lockedRefs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Digest, Lazy<Task<ContentInfo>>> _downloads = new();

    /// <summary>Opens (creating if needed) the store at <paramref name="root"/>.</summary>
    public LocalContentStore(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Path.Combine(Root, "blobs", Digest.Sha256));
        Directory.CreateDirectory(IngestRoot);
    }

    /// <summary>The store's root directory.</summary>
    public string Root { get; }

    private string IngestRoot => Path.Combine(Root, "ingest");

    /// <summary>The file a committed blob lives in (whether or not it exists).</summary>
    public string BlobPath(Digest digest)
    {
        if (digest.IsEmpty)
        {
            throw new ArgumentException("empty digest", nameof(digest));
        }
        return Path.Combine(Root, "blobs", digest.Algorithm, digest.Encoded);
    }

    /// <inheritdoc />
    public Task<ContentInfo?> InfoAsync(Digest digest, CancellationToken cancellationToken = default)
    {
        var file = new FileInfo(BlobPath(digest));
        return Task.FromResult(file.Exists ? new ContentInfo(digest, file.Length, file.LastWriteTimeUtc) : null);
    }

    /// <inheritdoc />
    public Stream OpenRead(Digest digest)
    {
        try
        {
            return new FileStream(BlobPath(digest), new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            });
        }
        catch (FileNotFoundException e)
        {
            throw new ImageException(ImageErrorKind.NotFound, $"content {digest} not found in {Root}", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new ImageException(ImageErrorKind.NotFound, $"content {digest} not found in {Root}", e);
        }
    }

    /// <inheritdoc />
    public async Task<byte[]> ReadAllBytesAsync(Digest digest, long maxSize = ContentLimits.MaxJsonBlobSize, CancellationToken cancellationToken = default)
    {
        var stream = OpenRead(digest);
        await using (stream.ConfigureAwait(false))
        {
            if (stream.Length > maxSize)
            {
                throw new ImageException(ImageErrorKind.InvalidArgument, $"content {digest} is {stream.Length} bytes, more than the {maxSize}-byte limit for a manifest, index or config");
            }
            var buffer = new byte[stream.Length];
            await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer;
        }
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(Digest digest, CancellationToken cancellationToken = default)
    {
        var path = BlobPath(digest);
        if (!File.Exists(path))
        {
            return Task.FromResult(false);
        }
        File.Delete(path);
        return Task.FromResult(true);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ContentInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<ContentInfo>();
        var blobs = new DirectoryInfo(Path.Combine(Root, "blobs"));
        foreach (var algDir in blobs.EnumerateDirectories())
        {
            foreach (var file in algDir.EnumerateFiles())
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Skip anything that is not a digest (a stray temp file) rather than fail the listing.
                if (Digest.TryParse(algDir.Name + ":" + file.Name, out var digest))
                {
                    list.Add(new ContentInfo(digest, file.Length, file.LastWriteTimeUtc));
                }
            }
        }
        return Task.FromResult<IReadOnlyList<ContentInfo>>(list);
    }

    /// <summary>The ingest directory for a ref: named by the ref's sha256 so any string is a safe ref.</summary>
    private string IngestDir(string refKey) =>
        Path.Combine(IngestRoot, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(refKey))));

    /// <summary>fsyncs a directory so that a rename into it survives a crash (rename(2), fsync(2) NOTES).</summary>
    internal static void SyncDirectory(string dir)
    {
        var fd = Libc.OpenAt(Libc.AT_FDCWD, dir, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        LinuxException.ThrowIfError(fd, "open", dir);
        using var handle = new FileDescriptorHandle(fd);
        LinuxException.ThrowIfError(Libc.Fsync(fd), "fsync", dir);
    }
}
