using System.Text.Json.Serialization;

namespace Quai.Api.Http;

/// <summary>Docker's error body, <c>{"message": "..."}</c> (swagger: ErrorResponse).</summary>
/// <param name="Message">The error message shown by the client.</param>
public sealed record ErrorMessage([property: JsonPropertyName("message")] string Message);

/// <summary>Source-generated JSON for the server's own bodies (no reflection: the library is AOT-compatible).</summary>
[JsonSerializable(typeof(ErrorMessage))]
internal sealed partial class HttpJsonContext : JsonSerializerContext;
