using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using Quai.Oci;

namespace Quai.Registry.Http;

public sealed partial class RegistryHandler
{
    /// <summary>GET/HEAD/DELETE /v2/&lt;name&gt;/blobs/&lt;digest&gt;, GET with Range (spec.md#pulling-blobs, #deleting-blobs).</summary>
    private async Task BlobAsync(HttpContext context, string name, string digestText)
    {
        var digest = ParseDigest(digestText);
        var response = context.Response;
        var ct = context.RequestAborted;
        if (HttpMethods.IsDelete(context.Request.Method))
        {
            if (!_store.UnlinkBlob(name, digest))
            {
                throw new RegistryException(RegistryError.BlobUnknown, $"blob {digest} is not in repository {name}", digest.ToString());
            }
            response.StatusCode = StatusCodes.Status202Accepted;
            response.ContentLength = 0;
            return;
        }
        var info = await _store.StatBlobAsync(name, digest, ct).ConfigureAwait(false)
            ?? throw new RegistryException(RegistryError.BlobUnknown, $"blob {digest} is not in repository {name}", digest.ToString());
        response.Headers["Docker-Content-Digest"] = digest.ToString();
        response.Headers.AcceptRanges = "bytes";
        response.Headers.ETag = "\"" + digest + "\"";
        response.ContentType = "application/octet-stream";
        long start = 0;
        var length = info.Size;
        if (context.Request.Headers.Range.ToString() is { Length: > 0 } range)
        {
            if (!TryParseRange(range, info.Size, out start, out var end))
            {
                response.Headers.ContentRange = $"bytes */{info.Size}";
                throw new RegistryException(RegistryError.BlobUnknown, $"range {range} is not satisfiable for blob {digest} of {info.Size} bytes", range, HttpStatusCode.RequestedRangeNotSatisfiable);
            }
            length = end - start + 1;
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {start}-{end}/{info.Size}";
        }
        response.ContentLength = length;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }
        var stream = _store.Content.OpenRead(digest);
        await using (stream.ConfigureAwait(false))
        {
            stream.Seek(start, SeekOrigin.Begin);
            var buffer = new byte[81920];
            var left = length;
            while (left > 0)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }
                await response.Body.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                left -= n;
            }
        }
    }

    /// <summary>Parses "bytes=a-b", "bytes=a-" or "bytes=-n" (RFC 9110 §14.1.2) against a size.</summary>
    private static bool TryParseRange(string header, long size, out long start, out long end)
    {
        start = 0;
        end = size - 1;
        if (!header.StartsWith("bytes=", StringComparison.Ordinal) || header.Contains(',', StringComparison.Ordinal))
        {
            return false;
        }
        var spec = header[6..];
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return false;
        }
        var first = spec[..dash];
        var last = spec[(dash + 1)..];
        if (first.Length == 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix) || suffix == 0)
            {
                return false;
            }
            start = Math.Max(0, size - suffix);
            return size > 0;
        }
        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out start) || start >= size)
        {
            return false;
        }
        if (last.Length > 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out end) || end < start)
            {
                return false;
            }
            end = Math.Min(end, size - 1);
        }
        return true;
    }

    /// <summary>
    /// POST /v2/&lt;name&gt;/blobs/uploads/: mount from another repository (?mount=&amp;from=), a
    /// monolithic upload (?digest= with the body), or a new session (spec.md#pushing-blobs).
    /// </summary>
    private async Task StartUploadAsync(HttpContext context, string name)
    {
        var query = context.Request.Query;
        var response = context.Response;
        var ct = context.RequestAborted;
        if (query.TryGetValue("mount", out var mount))
        {
            var digest = ParseDigest(mount.ToString());
            var from = query["from"].ToString();
            if (Storage.RepositoryStore.IsValidName(from) && await _store.StatBlobAsync(from, digest, ct).ConfigureAwait(false) is not null)
            {
                _store.LinkBlob(name, digest);
                BlobCreated(response, name, digest);
                return;
            }
            // spec.md#mounting-a-blob-from-another-repository: fall back to a new upload session.
        }
        else if (query.TryGetValue("digest", out var digestValue))
        {
            var digest = ParseDigest(digestValue.ToString());
            await _store.PutBlobAsync(name, context.Request.Body, digest, context.Request.ContentLength, ct).ConfigureAwait(false);
            BlobCreated(response, name, digest);
            return;
        }
        var id = _store.StartUpload(name);
        UploadAccepted(response, name, id, 0);
    }

    /// <summary>GET/PATCH/PUT/DELETE /v2/&lt;name&gt;/blobs/uploads/&lt;id&gt; (spec.md#pushing-a-blob-in-chunks).</summary>
    private async Task UploadAsync(HttpContext context, string name, string id)
    {
        var request = context.Request;
        var response = context.Response;
        var ct = context.RequestAborted;
        switch (request.Method)
        {
            case "GET":
                UploadAccepted(response, name, id, _store.UploadSize(name, id), StatusCodes.Status204NoContent);
                return;
            case "DELETE":
                _store.UploadSize(name, id);
                _store.CancelUpload(name, id);
                response.StatusCode = StatusCodes.Status204NoContent;
                response.ContentLength = 0;
                return;
            case "PATCH":
                {
                    var (start, end) = ParseContentRange(request.Headers.ContentRange.ToString());
                    var size = await _store.AppendUploadAsync(name, id, request.Body, start, end, ct).ConfigureAwait(false);
                    UploadAccepted(response, name, id, size);
                    return;
                }
            default:
                {
                    if (!request.Query.TryGetValue("digest", out var digestValue))
                    {
                        throw new RegistryException(RegistryError.DigestInvalid, "PUT closing an upload needs ?digest=<digest> of the whole blob");
                    }
                    var digest = ParseDigest(digestValue.ToString());
                    var (start, end) = ParseContentRange(request.Headers.ContentRange.ToString());
                    if (request.ContentLength is > 0 || start is not null || request.Headers.TransferEncoding.Count > 0)
                    {
                        await _store.AppendUploadAsync(name, id, request.Body, start, end, ct).ConfigureAwait(false);
                    }
                    await _store.CompleteUploadAsync(name, id, digest, ct).ConfigureAwait(false);
                    BlobCreated(response, name, digest);
                    return;
                }
        }
    }

    /// <summary>Content-Range of a chunk: "&lt;start&gt;-&lt;end&gt;" (spec.md) or "bytes a-b/*" as some clients send.</summary>
    private static (long? Start, long? End) ParseContentRange(string header)
    {
        if (header.Length == 0)
        {
            return (null, null);
        }
        var spec = header.StartsWith("bytes", StringComparison.Ordinal) ? header[5..].TrimStart(' ', '=') : header;
        var slash = spec.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            spec = spec[..slash];
        }
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0
            && long.TryParse(spec[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            && long.TryParse(spec[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var end)
            && end >= start)
        {
            return (start, end);
        }
        throw new RegistryException(RegistryError.BlobUploadInvalid, $"invalid Content-Range \"{header}\": expected <start>-<end>", header, HttpStatusCode.RequestedRangeNotSatisfiable);
    }

    private static void BlobCreated(HttpResponse response, string name, Digest digest)
    {
        response.StatusCode = StatusCodes.Status201Created;
        response.Headers.Location = $"/v2/{name}/blobs/{digest}";
        response.Headers["Docker-Content-Digest"] = digest.ToString();
        response.ContentLength = 0;
    }

    private static void UploadAccepted(HttpResponse response, string name, string id, long size, int status = StatusCodes.Status202Accepted)
    {
        response.StatusCode = status;
        response.Headers.Location = $"/v2/{name}/blobs/uploads/{id}";
        // The inclusive range held so far; docker's registry sends 0-0 for an empty session too.
        response.Headers.Range = $"0-{Math.Max(size - 1, 0)}";
        response.Headers["Docker-Upload-UUID"] = id;
        response.ContentLength = 0;
    }
}
