using System.Text.Json.Serialization;
using Quai.Images.Formats;
using Quai.Images.Store;

namespace Quai.Images;

/// <summary>Source-generated JSON for the Docker-shaped documents Quai.Images produces (inspect, history, archive manifest).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<DockerArchiveManifestEntry>))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, string>>))]
[JsonSerializable(typeof(ImageInspect))]
[JsonSerializable(typeof(List<ImageInspect>))]
[JsonSerializable(typeof(List<ImageHistoryItem>))]
public sealed partial class ImagesJsonContext : JsonSerializerContext
{
}
