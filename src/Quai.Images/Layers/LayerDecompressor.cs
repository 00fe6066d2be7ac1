using System.IO.Compression;
using Quai.Oci.Image;
using ZstdSharp;

namespace Quai.Images.Layers;

/// <summary>
/// Opens a layer blob as an uncompressed tar stream: the compression comes from the media type
/// and is checked against the first bytes (gzip RFC 1952 §2.3.1: 1f 8b; zstd RFC 8878 §3.1.1:
/// 28 b5 2f fd), so a mislabelled blob fails with a clear error instead of garbage.
/// </summary>
public static class LayerDecompressor
{
    private static ReadOnlySpan<byte> GzipMagic => [0x1f, 0x8b];
    private static ReadOnlySpan<byte> ZstdMagic => [0x28, 0xb5, 0x2f, 0xfd];

    /// <summary>What the first bytes of a blob say its compression is.</summary>
    public static LayerCompression Detect(ReadOnlySpan<byte> head) =>
        head.StartsWith(GzipMagic) ? LayerCompression.Gzip
        : head.StartsWith(ZstdMagic) ? LayerCompression.Zstd
        : LayerCompression.None;

    /// <summary>Wraps <paramref name="compressed"/> in the right decompressor after checking its magic.</summary>
    public static async Task<Stream> OpenAsync(Stream compressed, LayerCompression declared, CancellationToken cancellationToken = default)
    {
        var head = new byte[4];
        var got = await compressed.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        var actual = Detect(head.AsSpan(0, got));
        if (actual != declared)
        {
            throw new ImageException(ImageErrorKind.InvalidArgument, $"layer is declared {Describe(declared)} but its content is {Describe(actual)}; the media type in the manifest is wrong or the blob is corrupt");
        }
        var whole = new PrefixedStream(head.AsMemory(0, got), compressed);
        return declared switch
        {
            LayerCompression.Gzip => new GZipStream(whole, CompressionMode.Decompress),
            LayerCompression.Zstd => new DecompressionStream(whole),
            _ => whole,
        };
    }

    private static string Describe(LayerCompression c) => c switch
    {
        LayerCompression.Gzip => "gzip",
        LayerCompression.Zstd => "zstd",
        _ => "uncompressed",
    };
}
