using System.Text.Json.Serialization;
using Quai.Oci.Image;

namespace Quai.Images.Store;

/// <summary>Docker's GET /images/{name}/json body (api/types/image InspectResponse).</summary>
public sealed class ImageInspect
{
    [JsonPropertyName("Id")] public string Id { get; set; } = "";
    [JsonPropertyName("RepoTags")] public List<string> RepoTags { get; set; } = [];
    [JsonPropertyName("RepoDigests")] public List<string> RepoDigests { get; set; } = [];
    [JsonPropertyName("Parent")] public string Parent { get; set; } = "";
    [JsonPropertyName("Comment")] public string Comment { get; set; } = "";
    [JsonPropertyName("Created")] public string? Created { get; set; }
    [JsonPropertyName("DockerVersion")] public string DockerVersion { get; set; } = "";
    [JsonPropertyName("Author")] public string Author { get; set; } = "";
    [JsonPropertyName("Config")] public ContainerConfig? Config { get; set; }
    [JsonPropertyName("Architecture")] public string Architecture { get; set; } = "";
    [JsonPropertyName("Variant")] public string? Variant { get; set; }
    [JsonPropertyName("Os")] public string Os { get; set; } = "";
    [JsonPropertyName("Size")] public long Size { get; set; }
    [JsonPropertyName("RootFS")] public ImageInspectRootFs RootFs { get; set; } = new();
    [JsonPropertyName("Metadata")] public ImageInspectMetadata Metadata { get; set; } = new();
}
