using System.Text.Json.Serialization;

namespace Quai.Images.Formats;

/// <summary>One entry of a docker save archive's manifest.json (moby image/tarexport).</summary>
public sealed class DockerArchiveManifestEntry
{
    [JsonPropertyName("Config")] public string Config { get; set; } = "";
    [JsonPropertyName("RepoTags")] public List<string>? RepoTags { get; set; }
    [JsonPropertyName("Layers")] public List<string> Layers { get; set; } = [];
    [JsonPropertyName("LayerSources")] public Dictionary<string, Oci.Image.Descriptor>? LayerSources { get; set; }
}
