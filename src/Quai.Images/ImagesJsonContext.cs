using System.Text.Json.Serialization;
using Quai.Images.Snapshots;
using Quai.Images.Formats;
using Quai.Images.Store;

namespace Quai.Images;

/// <summary>Source-generated JSON for Quai.Images' own state files (AOT-safe).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(SnapshotDatabase))]
[JsonSerializable(typeof(ImageDatabase))]
[JsonSerializable(typeof(List<DockerArchiveManifestEntry>))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, string>>))]
[JsonSerializable(typeof(ImageInspect))]
[JsonSerializable(typeof(List<ImageHistoryItem>))]
internal sealed partial class ImagesJsonContext : JsonSerializerContext
{
}
