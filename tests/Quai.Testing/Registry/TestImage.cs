using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Quai.Testing.Registry;

/// <summary>
/// A small single-platform image as raw bytes: one gzip layer, a config and an OCI manifest,
/// with their sha256 digests, for push/pull tests. Built from bytes only, so that the content
/// the tests compare is exactly what was made.
/// </summary>
public sealed class TestImage
{
    private TestImage(List<byte[]> layers, List<string> diffIds)
    {
        Layers = layers;
        Config = Encoding.UTF8.GetBytes(
            "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/bin/sh\"]}," +
            "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + string.Join(",", diffIds.Select(d => "\"" + d + "\"")) + "]}}");
        var layerJson = string.Join(",", layers.Select(l => $"{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"{DigestOf(l)}\",\"size\":{l.Length}}}"));
        Manifest = Encoding.UTF8.GetBytes(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"," +
            $"\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{DigestOf(Config)}\",\"size\":{Config.Length}}}," +
            $"\"layers\":[{layerJson}]}}");
    }

    /// <summary>The gzip-compressed layers.</summary>
    public IReadOnlyList<byte[]> Layers { get; }

    /// <summary>The config JSON.</summary>
    public byte[] Config { get; }

    /// <summary>The manifest JSON.</summary>
    public byte[] Manifest { get; }

    /// <summary>The manifest's digest.</summary>
    public string ManifestDigest => DigestOf(Manifest);

    /// <summary>An image of one layer: a busybox root filesystem, tarred.</summary>
    public static TestImage Busybox()
    {
        using var dir = new TempDir("quai-test-image");
        Testing.Busybox.CreateRootfs(dir.Path);
        using var tar = new MemoryStream();
        TarFile.CreateFromDirectory(dir.Path, tar, includeBaseDirectory: false);
        return FromTars([tar.ToArray()]);
    }

    /// <summary>An image of layers holding one file each of random bytes (sizes as given), deterministic per seed.</summary>
    public static TestImage Random(int seed, params int[] sizes)
    {
        var rng = new Random(seed);
        var tars = new List<byte[]>();
        foreach (var size in sizes)
        {
            var data = new byte[size];
            rng.NextBytes(data);
            using var tar = new MemoryStream();
            using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"data-{seed}-{size}") { DataStream = new MemoryStream(data) });
            }
            tars.Add(tar.ToArray());
        }
        return FromTars(tars);
    }

    private static TestImage FromTars(List<byte[]> tars)
    {
        var layers = new List<byte[]>();
        foreach (var tar in tars)
        {
            using var gz = new MemoryStream();
            using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
            {
                z.Write(tar);
            }
            layers.Add(gz.ToArray());
        }
        return new TestImage(layers, [.. tars.Select(DigestOf)]);
    }

    /// <summary>"sha256:…" of <paramref name="data"/>.</summary>
    public static string DigestOf(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Writes the image as an OCI image layout (image-layout.md) tagged <paramref name="tag"/>, for skopeo.</summary>
    public void WriteOciLayout(string dir, string tag)
    {
        var blobs = Path.Combine(dir, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        foreach (var blob in Layers.Append(Config).Append(Manifest))
        {
            File.WriteAllBytes(Path.Combine(blobs, DigestOf(blob)[7..]), blob);
        }
        File.WriteAllText(Path.Combine(dir, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        File.WriteAllText(Path.Combine(dir, "index.json"),
            "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"," +
            $"\"digest\":\"{ManifestDigest}\",\"size\":{Manifest.Length},\"annotations\":{{\"org.opencontainers.image.ref.name\":\"{tag}\"}}}}]}}");
    }
}
