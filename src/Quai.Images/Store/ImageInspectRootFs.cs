using System.Text.Json.Serialization;

namespace Quai.Images.Store;

/// <summary>The RootFS member of an image inspect.</summary>
public sealed class ImageInspectRootFs
{
    [JsonPropertyName("Type")] public string Type { get; set; } = "layers";
    [JsonPropertyName("Layers")] public List<string> Layers { get; set; } = [];
}
