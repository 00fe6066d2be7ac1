using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Quai.Oci;
using Quai.Oci.Image;

namespace Quai.Images.Content;

/// <summary>Conveniences over <see cref="IContentStore"/> for small JSON blobs.</summary>
public static class ContentStoreExtensions
{
    /// <summary>Commits <paramref name="data"/> (if not present yet) and returns its descriptor.</summary>
    public static async Task<Descriptor> WriteBytesAsync(this IContentStore store, ReadOnlyMemory<byte> data, string mediaType, CancellationToken cancellationToken = default)
    {
        var digest = Digest.FromBytes(data.Span);
        await store.WriteBlobAsync(digest, data.Length, offset => Task.FromResult<Stream>(new MemoryStream(data[(int)offset..].ToArray(), writable: false)), null, cancellationToken).ConfigureAwait(false);
        return new Descriptor { MediaType = mediaType, Digest = digest, Size = data.Length };
    }

    /// <summary>Serialises <paramref name="value"/> compactly, commits it and returns its descriptor.</summary>
    public static Task<Descriptor> WriteJsonAsync<T>(this IContentStore store, T value, JsonTypeInfo<T> typeInfo, string mediaType, CancellationToken cancellationToken = default) =>
        store.WriteBytesAsync(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), mediaType, cancellationToken);

    /// <summary>Reads and parses a small JSON blob; the error names the digest when it does not parse.</summary>
    public static async Task<T> ReadJsonAsync<T>(this IContentProvider store, Digest digest, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        var bytes = await store.ReadAllBytesAsync(digest, ContentLimits.MaxJsonBlobSize, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize(bytes, typeInfo) ?? throw new JsonException("null document");
        }
        catch (JsonException e)
        {
            throw new ImageException(ImageErrorKind.InvalidArgument, $"content {digest} is not a valid {typeof(T).Name}: {e.Message}", e);
        }
    }
}
