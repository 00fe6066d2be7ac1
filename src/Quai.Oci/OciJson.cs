using System.Text.Json;
using System.Text.Json.Serialization;
using Quai.Oci.Image;
using Quai.Oci.Runtime;

namespace Quai.Oci;

/// <summary>
/// Source-generated JSON metadata for every OCI type (no reflection: AOT-safe and fast).
/// Null members are omitted, as the specs' Go implementations do with omitempty.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false,
    AllowTrailingCommas = true,
    ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(Spec))]
[JsonSerializable(typeof(Runtime.Process))]
[JsonSerializable(typeof(State))]
[JsonSerializable(typeof(List<State>))]
[JsonSerializable(typeof(Features))]
[JsonSerializable(typeof(LinuxResources))]
[JsonSerializable(typeof(Descriptor))]
[JsonSerializable(typeof(Manifest))]
[JsonSerializable(typeof(ImageIndex))]
[JsonSerializable(typeof(ImageConfig))]
[JsonSerializable(typeof(OciLayoutHeader))]
[JsonSerializable(typeof(Dictionary<string, string>))]
public sealed partial class OciJsonContext : JsonSerializerContext
{
}

/// <summary>Serialises OCI documents; indented variants for files people read (config.json).</summary>
public static class OciJson
{
    private static readonly OciJsonContext Indented = new(new JsonSerializerOptions(OciJsonContext.Default.Options) { WriteIndented = true });

    /// <summary>The compact context.</summary>
    public static OciJsonContext Compact => OciJsonContext.Default;

    /// <summary>The indented context.</summary>
    public static OciJsonContext Pretty => Indented;
}
