using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Quai.Oci;
using Quai.Oci.Image;

namespace Quai.Registry.Http;

public sealed partial class RegistryHandler
{
    /// <summary>GET /v2/&lt;name&gt;/tags/list?n=&amp;last= (spec.md#listing-tags).</summary>
    private Task TagsAsync(HttpContext context, string name)
    {
        var page = Paginate(context, _store.ListTags(name), $"/v2/{name}/tags/list");
        return WriteListAsync(context, "tags", page, name);
    }

    /// <summary>GET /v2/_catalog?n=&amp;last= (docker's catalog API; the same pagination as tags).</summary>
    private Task CatalogAsync(HttpContext context)
    {
        var page = Paginate(context, _store.ListRepositories(), "/v2/_catalog");
        return WriteListAsync(context, "repositories", page, null);
    }

    /// <summary>
    /// Applies n and last to a sorted list: entries after "last", at most n of them, and a Link
    /// header with rel="next" when more remain (spec.md#listing-tags).
    /// </summary>
    private static List<string> Paginate(HttpContext context, List<string> all, string path)
    {
        var query = context.Request.Query;
        IEnumerable<string> rest = all;
        if (query.TryGetValue("last", out var last) && last.ToString().Length > 0)
        {
            var l = last.ToString();
            rest = all.Where(t => string.CompareOrdinal(t, l) > 0);
        }
        if (!query.TryGetValue("n", out var nValue))
        {
            return [.. rest];
        }
        if (!int.TryParse(nValue.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            throw new RegistryException(RegistryError.Unsupported, $"invalid n=\"{nValue}\": expected a non-negative integer", nValue.ToString(), System.Net.HttpStatusCode.BadRequest);
        }
        var remaining = rest.ToList();
        var page = remaining.Take(n).ToList();
        if (remaining.Count > page.Count && page.Count > 0)
        {
            context.Response.Headers.Link = $"<{path}?n={n}&last={Uri.EscapeDataString(page[^1])}>; rel=\"next\"";
        }
        return page;
    }

    private static Task WriteListAsync(HttpContext context, string property, List<string> items, string? name)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (name is not null)
            {
                w.WriteString("name", name);
            }
            w.WriteStartArray(property);
            foreach (var item in items)
            {
                w.WriteStringValue(item);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return WriteBytesAsync(context, buffer.ToArray(), "application/json");
    }

    /// <summary>
    /// GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;?artifactType= (spec.md#listing-referrers): an image
    /// index of the manifests whose subject is the digest, filtered by artifact type if asked.
    /// </summary>
    private Task ReferrersAsync(HttpContext context, string name, string digestText)
    {
        var digest = ParseDigest(digestText);
        var artifactType = context.Request.Query.TryGetValue("artifactType", out var at) && at.ToString().Length > 0 ? at.ToString() : null;
        if (artifactType is not null)
        {
            context.Response.Headers["OCI-Filters-Applied"] = "artifactType";
        }
        var index = new ImageIndex
        {
            MediaType = MediaTypes.OciIndex,
            Manifests = _store.ListReferrers(name, digest, artifactType),
        };
        return WriteBytesAsync(context, JsonSerializer.SerializeToUtf8Bytes(index, OciJsonContext.Default.ImageIndex), MediaTypes.OciIndex);
    }
}
