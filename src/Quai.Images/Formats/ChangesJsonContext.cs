using System.Text.Json.Serialization;

namespace Quai.Images.Formats;

/// <summary>Source-generated JSON for change arguments.</summary>
[JsonSerializable(typeof(List<string>))]
internal sealed partial class ChangesJsonContext : JsonSerializerContext
{
}
