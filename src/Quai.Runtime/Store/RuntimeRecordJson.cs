using System.Buffers;
using System.Text.Json;
using Quai.Oci.Runtime;
using Quai.Runtime.Processes;

namespace Quai.Runtime.Store;

/// <summary>
/// state.json records and the init's bootstrap message without System.Text.Json's type metadata
/// (generated readers and writers, RuntimeRecordJson.g.cs; see <see cref="SpecJson"/> for why).
/// </summary>
public static partial class RuntimeRecordJson
{
    /// <summary>Parses a state.json record.</summary>
    public static ContainerRecord ParseRecord(ReadOnlySpan<byte> json) => SpecJson.Parse(json, static (ref Utf8JsonReader r) => ReadContainerRecord(ref r));

    /// <summary>Parses the bootstrap message the init receives.</summary>
    public static InitBootstrap ParseBootstrap(ReadOnlySpan<byte> json) => SpecJson.Parse(json, static (ref Utf8JsonReader r) => ReadInitBootstrap(ref r));

    /// <summary>Compact UTF-8 JSON of a record.</summary>
    public static byte[] Serialize(ContainerRecord record) => ToBytes(w => Write(w, record));

    /// <summary>Compact UTF-8 JSON of a bootstrap message.</summary>
    public static byte[] Serialize(InitBootstrap boot) => ToBytes(w => Write(w, boot));

    /// <summary>Compact UTF-8 JSON written by <paramref name="write"/>.</summary>
    public static byte[] ToBytes(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        // MinimalJsonEncoder: the default encoder costs ~0.5 ms to build in every process.
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Oci.MinimalJsonEncoder.Instance }))
        {
            write(w);
        }
        return buffer.WrittenSpan.ToArray();
    }
}
