using System.Text.Json;
using System.Text.Json.Serialization;

namespace Quai.Api.Models;

/// <summary>
/// One line of docker's JSON progress streams (pull, push, load, import, build): moby's
/// jsonmessage.JSONMessage. Every field is omitted when empty, as moby does: docker-py treats the
/// mere presence of an "error" key as a failure.
/// </summary>
public sealed class JsonMessage
{
    /// <summary>Layer or object the line is about ("a1b2c3d4e5f6", or a tag).</summary>
    [JsonPropertyName("id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; set; }

    /// <summary>Human status ("Downloading", "Pull complete", "Digest: sha256:…").</summary>
    [JsonPropertyName("status"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Status { get; set; }

    /// <summary>The progress bar pre-rendered for old clients.</summary>
    [JsonPropertyName("progress"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Progress { get; set; }

    /// <summary>Bytes done and total.</summary>
    [JsonPropertyName("progressDetail"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ProgressDetail? ProgressDetail { get; set; }

    /// <summary>Build output text.</summary>
    [JsonPropertyName("stream"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Stream { get; set; }

    /// <summary>Error text (deprecated in favour of errorDetail, still read by clients).</summary>
    [JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; set; }

    /// <summary>Error message and code.</summary>
    [JsonPropertyName("errorDetail"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ErrorDetail? ErrorDetail { get; set; }

    /// <summary>Auxiliary data (push: {"Tag","Digest","Size"}; build: image ID).</summary>
    [JsonPropertyName("aux"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Aux { get; set; }
}
