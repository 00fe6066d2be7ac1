using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Quai.Oci;

/// <summary>
/// A content digest, "algorithm:encoded" (image-spec descriptor.md#digests). sha256 and sha512
/// are the registered algorithms; anything else is refused, as is an encoding of the wrong length.
/// </summary>
[JsonConverter(typeof(DigestJsonConverter))]
public readonly record struct Digest
{
    public const string Sha256 = "sha256";
    public const string Sha512 = "sha512";

    private Digest(string algorithm, string encoded)
    {
        Algorithm = algorithm;
        Encoded = encoded;
    }

    /// <summary>The algorithm, "sha256" or "sha512".</summary>
    public string Algorithm { get; }

    /// <summary>The lowercase hex encoding of the hash.</summary>
    public string Encoded { get; }

    /// <summary>True for the default value, which names no content.</summary>
    public bool IsEmpty => Algorithm is null;

    /// <summary>Parses "sha256:…"; throws <see cref="FormatException"/> naming the bad value.</summary>
    public static Digest Parse(string value)
    {
        if (!TryParse(value, out var digest, out var error))
        {
            throw new FormatException($"invalid digest \"{value}\": {error}");
        }
        return digest;
    }

    /// <summary>Parses a digest without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out Digest digest) => TryParse(value, out digest, out _);

    private static bool TryParse(string? value, out Digest digest, out string error)
    {
        digest = default;
        if (string.IsNullOrEmpty(value))
        {
            error = "empty";
            return false;
        }
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            error = "expected algorithm:hex";
            return false;
        }
        var algorithm = value[..colon];
        var encoded = value[(colon + 1)..];
        var expectedLength = algorithm switch
        {
            Sha256 => 64,
            Sha512 => 128,
            _ => -1,
        };
        if (expectedLength < 0)
        {
            error = $"unsupported algorithm \"{algorithm}\" (sha256 and sha512 are supported)";
            return false;
        }
        if (encoded.Length != expectedLength)
        {
            error = $"{algorithm} needs {expectedLength} hex characters, got {encoded.Length}";
            return false;
        }
        foreach (var c in encoded)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                error = "encoded part must be lowercase hex";
                return false;
            }
        }
        digest = new Digest(algorithm, encoded);
        error = "";
        return true;
    }

    /// <summary>The sha256 digest of <paramref name="data"/>.</summary>
    public static Digest FromBytes(ReadOnlySpan<byte> data) =>
        new(Sha256, Convert.ToHexStringLower(SHA256.HashData(data)));

    /// <summary>Builds a digest from an algorithm name and a finished hash.</summary>
    public static Digest FromHash(string algorithm, ReadOnlySpan<byte> hash) =>
        Parse(algorithm + ":" + Convert.ToHexStringLower(hash));

    /// <summary>A fresh incremental hasher for this digest's algorithm.</summary>
    public IncrementalHash CreateHasher() => CreateHasher(Algorithm);

    /// <summary>A fresh incremental hasher for <paramref name="algorithm"/>.</summary>
    public static IncrementalHash CreateHasher(string algorithm) => algorithm switch
    {
        Sha256 => IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
        Sha512 => IncrementalHash.CreateHash(HashAlgorithmName.SHA512),
        _ => throw new ArgumentException($"unsupported digest algorithm \"{algorithm}\"", nameof(algorithm)),
    };

    public override string ToString() => IsEmpty ? "" : Algorithm + ":" + Encoded;
}

/// <summary>Reads and writes a digest as its string form.</summary>
public sealed class DigestJsonConverter : JsonConverter<Digest>
{
    public override Digest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var s = reader.GetString();
        if (!Digest.TryParse(s, out var d))
        {
            throw new JsonException($"invalid digest \"{s}\"");
        }
        return d;
    }

    public override void Write(Utf8JsonWriter writer, Digest value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
