using Quai.Images.Content;
using Quai.Oci;

namespace Quai.Registry.Storage;

public sealed partial class RepositoryStore
{
    /// <summary>Starts an upload session for <paramref name="name"/> (uploads/&lt;uuid&gt;); returns its id.</summary>
    public string StartUpload(string name)
    {
        CheckName(name);
        var id = Guid.NewGuid().ToString();
        var dir = Path.Combine(_uploads, id);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "repository"), name);
        File.Create(Path.Combine(dir, "data")).Dispose();
        return id;
    }

    /// <summary>How many bytes session <paramref name="id"/> of <paramref name="name"/> holds; BLOB_UPLOAD_UNKNOWN if none.</summary>
    public long UploadSize(string name, string id) => new FileInfo(UploadDataPath(name, id)).Length;

    /// <summary>
    /// Appends a chunk (spec.md#pushing-a-blob-in-chunks). <paramref name="start"/> is the first byte
    /// of Content-Range: it must equal the session's size, otherwise the chunk is out of order and
    /// the answer is 416 with the range the session holds.
    /// </summary>
    public async Task<long> AppendUploadAsync(string name, string id, Stream body, long? start, long? end, CancellationToken cancellationToken)
    {
        var path = UploadDataPath(name, id);
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None);
        await using (stream.ConfigureAwait(false))
        {
            var size = stream.Length;
            if (start is { } s && s != size)
            {
                throw new RegistryException(RegistryError.BlobUploadInvalid, $"chunk starts at {s} but upload {id} holds {size} bytes: send the chunk starting at {size}", $"0-{Math.Max(size - 1, 0)}", System.Net.HttpStatusCode.RequestedRangeNotSatisfiable);
            }
            await body.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (end is { } e && start is { } b && stream.Length != e + 1)
            {
                stream.SetLength(size);
                throw new RegistryException(RegistryError.BlobUploadInvalid, $"Content-Range {b}-{e} does not match the {stream.Length - size} bytes received", $"{b}-{e}", System.Net.HttpStatusCode.RequestedRangeNotSatisfiable);
            }
            return stream.Length;
        }
    }

    /// <summary>
    /// Finishes an upload: verifies the data against <paramref name="digest"/>, commits it to the
    /// content store, links it into the repository and removes the session. A mismatch deletes the
    /// session and stores nothing (DIGEST_INVALID).
    /// </summary>
    public async Task<ContentInfo> CompleteUploadAsync(string name, string id, Digest digest, CancellationToken cancellationToken)
    {
        var path = UploadDataPath(name, id);
        try
        {
            var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.SequentialScan);
            ContentInfo info;
            await using (source.ConfigureAwait(false))
            {
                info = await CommitStreamAsync(Content, source, digest, null, cancellationToken).ConfigureAwait(false);
            }
            LinkBlob(name, digest);
            return info;
        }
        finally
        {
            CancelUpload(name, id);
        }
    }

    /// <summary>Commits a blob sent whole (monolithic POST ?digest=…) and links it.</summary>
    public async Task<ContentInfo> PutBlobAsync(string name, Stream body, Digest digest, long? size, CancellationToken cancellationToken)
    {
        CheckName(name);
        var info = await CommitStreamAsync(Content, body, digest, size, cancellationToken).ConfigureAwait(false);
        LinkBlob(name, digest);
        return info;
    }

    /// <summary>Drops an upload session.</summary>
    public void CancelUpload(string name, string id)
    {
        var data = UploadDataPath(name, id);
        Directory.Delete(Path.GetDirectoryName(data)!, recursive: true);
    }

    /// <summary>Deletes upload sessions untouched for longer than <paramref name="age"/> (docker's purgeuploads); returns their ids.</summary>
    public List<string> PurgeUploads(TimeSpan age)
    {
        var purged = new List<string>();
        var cutoff = DateTime.UtcNow - age;
        foreach (var dir in Directory.EnumerateDirectories(_uploads))
        {
            var data = Path.Combine(dir, "data");
            var touched = File.Exists(data) ? File.GetLastWriteTimeUtc(data) : Directory.GetLastWriteTimeUtc(dir);
            if (touched < cutoff)
            {
                Directory.Delete(dir, recursive: true);
                purged.Add(Path.GetFileName(dir));
            }
        }
        return purged;
    }

    private string UploadDataPath(string name, string id)
    {
        CheckName(name);
        var dir = Guid.TryParse(id, out var g) && g.ToString() == id ? Path.Combine(_uploads, id) : null;
        var owner = dir is null ? null : ReadLink(Path.Combine(dir, "repository"));
        if (dir is null || owner != name)
        {
            throw new RegistryException(RegistryError.BlobUploadUnknown, $"upload {id} is not in progress for repository {name}: start a new one with POST /v2/{name}/blobs/uploads/", id);
        }
        return Path.Combine(dir, "data");
    }
}
