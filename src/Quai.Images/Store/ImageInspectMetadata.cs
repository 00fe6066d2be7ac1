using System.Text.Json.Serialization;

namespace Quai.Images.Store;

/// <summary>The Metadata member of an image inspect.</summary>
public sealed class ImageInspectMetadata
{
    [JsonPropertyName("LastTagTime")] public string? LastTagTime { get; set; }
}
