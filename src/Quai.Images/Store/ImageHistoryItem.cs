using System.Text.Json.Serialization;

namespace Quai.Images.Store;

/// <summary>One entry of docker's GET /images/{name}/history (api/types/image HistoryResponseItem).</summary>
public sealed class ImageHistoryItem
{
    [JsonPropertyName("Id")] public string Id { get; set; } = "<missing>";
    [JsonPropertyName("Created")] public long Created { get; set; }
    [JsonPropertyName("CreatedBy")] public string CreatedBy { get; set; } = "";
    [JsonPropertyName("Tags")] public List<string>? Tags { get; set; }
    [JsonPropertyName("Size")] public long Size { get; set; }
    [JsonPropertyName("Comment")] public string Comment { get; set; } = "";
}
