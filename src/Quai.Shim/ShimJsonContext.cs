using System.Text.Json.Serialization;
using Quai.Shim.Client;

namespace Quai.Shim;

/// <summary>Source-generated JSON for the shim's files and protocol (no reflection: the shim is Native AOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RootfsMount[]))]
[JsonSerializable(typeof(ShimRequest))]
[JsonSerializable(typeof(ShimReply))]
[JsonSerializable(typeof(ExitRecord))]
[JsonSerializable(typeof(ShimState))]
public sealed partial class ShimJsonContext : JsonSerializerContext;
