using System.Text.Json.Serialization;
using Quai.Engine.Containers;
using Quai.Engine.Volumes;

namespace Quai.Engine;

/// <summary>Source-generated JSON for the engine's state files.</summary>
[JsonSourceGenerationOptions(WriteIndented = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ContainerRecord))]
[JsonSerializable(typeof(VolumeRecord))]
[JsonSerializable(typeof(List<Quai.Images.Snapshots.MountSpec>))]
internal sealed partial class EngineJsonContext : JsonSerializerContext;
