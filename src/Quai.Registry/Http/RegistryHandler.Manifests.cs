using System.Net;
using Microsoft.AspNetCore.Http;
using Quai.Oci;

namespace Quai.Registry.Http;

public sealed partial class RegistryHandler
{
    /// <summary>GET/HEAD/PUT/DELETE /v2/&lt;name&gt;/manifests/&lt;reference&gt; (spec.md#pulling-manifests, #pushing-manifests, #deleting-manifests).</summary>
    private async Task ManifestAsync(HttpContext context, string name, string reference)
    {
        var request = context.Request;
        var response = context.Response;
        var ct = context.RequestAborted;
        switch (request.Method)
        {
            case "GET" or "HEAD":
                {
                    var stored = await _store.ResolveManifestAsync(name, reference, ct).ConfigureAwait(false);
                    response.Headers["Docker-Content-Digest"] = stored.Digest.ToString();
                    response.Headers.ETag = "\"" + stored.Digest + "\"";
                    var body = await _store.Content.ReadAllBytesAsync(stored.Digest, _options.MaxManifestBytes, ct).ConfigureAwait(false);
                    await WriteBytesAsync(context, body, stored.MediaType).ConfigureAwait(false);
                    return;
                }
            case "PUT":
                {
                    if (request.ContentLength > _options.MaxManifestBytes)
                    {
                        throw TooLarge(request.ContentLength.Value);
                    }
                    var body = await ReadBoundedAsync(request.Body, _options.MaxManifestBytes, ct).ConfigureAwait(false);
                    var (stored, subject) = await _store.PutManifestAsync(name, reference, request.ContentType, body, ct).ConfigureAwait(false);
                    response.StatusCode = StatusCodes.Status201Created;
                    response.Headers.Location = $"/v2/{name}/manifests/{stored.Digest}";
                    response.Headers["Docker-Content-Digest"] = stored.Digest.ToString();
                    if (subject is { } s)
                    {
                        // spec.md#pushing-manifests-with-subject: says this registry keeps the referrers index itself.
                        response.Headers["OCI-Subject"] = s.ToString();
                    }
                    response.ContentLength = 0;
                    return;
                }
            default:
                await _store.DeleteManifestAsync(name, reference, ct).ConfigureAwait(false);
                response.StatusCode = StatusCodes.Status202Accepted;
                response.ContentLength = 0;
                return;
        }
    }

    private RegistryException TooLarge(long size) =>
        new(RegistryError.ManifestInvalid, $"manifest of {size} bytes is larger than the {_options.MaxManifestBytes} bytes this registry accepts", size.ToString(System.Globalization.CultureInfo.InvariantCulture), HttpStatusCode.RequestEntityTooLarge);

    /// <summary>Reads a body of at most <paramref name="max"/> bytes; a longer one is refused with 413 without reading it all.</summary>
    private async Task<byte[]> ReadBoundedAsync(Stream body, long max, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[65536];
        int n;
        while ((n = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + n > max)
            {
                throw TooLarge(buffer.Length + n);
            }
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    private static Digest ParseDigest(string value)
    {
        if (!Digest.TryParse(value, out var digest))
        {
            throw new RegistryException(RegistryError.DigestInvalid, $"invalid digest \"{value}\": expected sha256:<64 hex> or sha512:<128 hex>", value);
        }
        return digest;
    }
}
