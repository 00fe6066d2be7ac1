using System.Text.Json;
using System.Text.Json.Serialization;

namespace Quai.Runtime.Store;

/// <summary>Source-generated JSON for the runtime's own documents (AOT-safe, no reflection).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = false)]
[JsonSerializable(typeof(StateOutput))]
[JsonSerializable(typeof(List<StateOutput>))]
[JsonSerializable(typeof(List<int>))]
public sealed partial class RuntimeJsonContext : JsonSerializerContext
{
    private static RuntimeJsonContext? s_pretty;

    /// <summary>Indented like runc's json.MarshalIndent(v, "", "  ").</summary>
    public static RuntimeJsonContext Pretty => s_pretty ??= new RuntimeJsonContext(new JsonSerializerOptions(Default.Options) { WriteIndented = true });
}
