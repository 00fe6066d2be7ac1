using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Quai.Cli.Api;

// Typed requests and answers through Quai.Api.Models' source-generated ApiJsonContext.
public sealed partial class DockerClient
{
    /// <summary>GET, deserializing the answer as <typeparamref name="T"/>.</summary>
    public async Task<T?> GetAsync<T>(string pathAndQuery, JsonTypeInfo<T> info, CancellationToken ct = default)
    {
        using var r = await SendAsync(HttpMethod.Get, pathAndQuery, ct: ct).ConfigureAwait(false);
        return await ReadAsync(r, info, ct).ConfigureAwait(false);
    }

    /// <summary>POST a typed body, deserializing the answer as <typeparamref name="TResponse"/>.</summary>
    public async Task<TResponse?> PostAsync<TRequest, TResponse>(string pathAndQuery, TRequest body, JsonTypeInfo<TRequest> requestInfo, JsonTypeInfo<TResponse> responseInfo, CancellationToken ct = default)
    {
        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, requestInfo));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var r = await SendAsync(HttpMethod.Post, pathAndQuery, content, ct: ct).ConfigureAwait(false);
        return await ReadAsync(r, responseInfo, ct).ConfigureAwait(false);
    }

    /// <summary>POST a typed body, ignoring the answer's body.</summary>
    public async Task PostAsync<TRequest>(string pathAndQuery, TRequest body, JsonTypeInfo<TRequest> requestInfo, CancellationToken ct = default)
    {
        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, requestInfo));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var r = await SendAsync(HttpMethod.Post, pathAndQuery, content, ct: ct).ConfigureAwait(false);
    }

    /// <summary>Reads a (possibly streamed) answer's body as <typeparamref name="T"/>; default for an empty body.</summary>
    public static async Task<T?> ReadAsync<T>(HttpResponseMessage r, JsonTypeInfo<T> info, CancellationToken ct = default)
    {
        var bytes = await r.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        return bytes.AsSpan().Trim(" \r\n"u8).IsEmpty ? default : JsonSerializer.Deserialize(bytes, info);
    }
}
