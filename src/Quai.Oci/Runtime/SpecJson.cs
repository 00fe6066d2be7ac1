using System.Buffers;
using System.Text.Json;

namespace Quai.Oci.Runtime;

/// <summary>
/// config.json without System.Text.Json's type metadata: straight-line readers and writers
/// generated from the model classes (SpecJson.g.cs, by scripts/gen-json-rw.py). quai-runtime
/// uses them on its hot path (create, the container init, start, delete, exec), where a profile
/// showed ~30% of each process's CPU spent building JsonTypeInfo for the spec's 35 types, once per
/// short-lived process. Same rules as <see cref="OciJsonContext"/>: unknown members are skipped,
/// null members omitted, comments and trailing commas accepted, names case-sensitive.
/// </summary>
public static partial class SpecJson
{
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Reads one value at the reader's current token.</summary>
    public delegate T ReadOne<T>(ref Utf8JsonReader reader);

    /// <summary>Parses a whole config.json.</summary>
    public static Spec ParseSpec(ReadOnlySpan<byte> json) => Parse(json, static (ref Utf8JsonReader r) => ReadSpec(ref r));

    /// <summary>Parses a process document (`exec --process`).</summary>
    public static Process ParseProcess(ReadOnlySpan<byte> json) => Parse(json, static (ref Utf8JsonReader r) => ReadProcess(ref r));

    /// <summary>Parses a resources document (`update --resources`).</summary>
    public static LinuxResources ParseResources(ReadOnlySpan<byte> json) => Parse(json, static (ref Utf8JsonReader r) => ReadLinuxResources(ref r));

    /// <summary>The compact UTF-8 JSON of <paramref name="spec"/>, as OciJsonContext writes it with <see cref="MinimalJsonEncoder"/>.</summary>
    public static byte[] Serialize(Spec spec)
    {
        var buffer = new ArrayBufferWriter<byte>(8192);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = MinimalJsonEncoder.Instance }))
        {
            Write(w, spec);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses a document whose root is read by <paramref name="read"/>; JsonException when malformed.</summary>
    public static T Parse<T>(ReadOnlySpan<byte> json, ReadOne<T> read)
    {
        var r = new Utf8JsonReader(json, ReaderOptions);
        if (!r.Read())
        {
            throw new JsonException("the document is empty");
        }
        if (r.TokenType == JsonTokenType.Null)
        {
            throw new JsonException("the document is null");
        }
        T value;
        try
        {
            value = read(ref r);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            // A token of the wrong kind (a string for a number, 1.5 for an integer).
            throw new JsonException($"{e.Message} (at byte {r.TokenStartIndex})", e);
        }
        if (r.Read())
        {
            throw new JsonException($"unexpected data after the document at byte {r.TokenStartIndex}");
        }
        return value;
    }

    /// <summary>Checks that the current token starts an object.</summary>
    public static void StartObject(ref Utf8JsonReader r, string type)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"expected a JSON object for {type} at byte {r.TokenStartIndex}, found {r.TokenType}");
        }
    }

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    public static bool NextProperty(ref Utf8JsonReader r)
    {
        r.Read();
        return r.TokenType switch
        {
            JsonTokenType.PropertyName => true,
            JsonTokenType.EndObject => false,
            _ => throw new JsonException($"expected a property name at byte {r.TokenStartIndex}, found {r.TokenType}"),
        };
    }

    /// <summary>Refuses JSON null where a value type is required (as System.Text.Json does).</summary>
    public static void NotNull(ref Utf8JsonReader r, string member)
    {
        if (r.TokenType == JsonTokenType.Null)
        {
            throw new JsonException($"{member} cannot be null (byte {r.TokenStartIndex})");
        }
    }

    /// <summary>Reads an array with <paramref name="read"/> for each element.</summary>
    public static List<T> ReadList<T>(ref Utf8JsonReader r, ReadOne<T> read)
    {
        if (r.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"expected a JSON array at byte {r.TokenStartIndex}, found {r.TokenType}");
        }
        var list = new List<T>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            list.Add(r.TokenType == JsonTokenType.Null ? default! : read(ref r));
        }
        return list;
    }

    /// <summary>Reads an object as a string-keyed map with <paramref name="read"/> for each value.</summary>
    public static Dictionary<string, T> ReadMap<T>(ref Utf8JsonReader r, ReadOne<T> read)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"expected a JSON object at byte {r.TokenStartIndex}, found {r.TokenType}");
        }
        var map = new Dictionary<string, T>(StringComparer.Ordinal);
        while (NextProperty(ref r))
        {
            var key = r.GetString()!;
            r.Read();
            map[key] = r.TokenType == JsonTokenType.Null ? default! : read(ref r);
        }
        return map;
    }
}
