using System.Text.Json.Serialization;
using Quai.Images.Snapshots;
using Quai.Images.Store;

namespace Quai.Images;

/// <summary>Source-generated JSON for Quai.Images' own state files (AOT-safe).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(SnapshotDatabase))]
[JsonSerializable(typeof(ImageDatabase))]
internal sealed partial class StateJsonContext : JsonSerializerContext
{
}
