using System.Text.Json.Serialization;

namespace Quai.Api.Models;

/// <summary>
/// Source-generated JSON for the Docker Engine API types. Nulls are written (moby's types mostly
/// have no omitempty, and clients read `"Labels": null` fine); names are the swagger's, exactly.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.Strict,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ContainerCreateRequest))]
[JsonSerializable(typeof(ContainerCreateResponse))]
[JsonSerializable(typeof(ContainerInspectResponse))]
[JsonSerializable(typeof(List<ContainerSummary>))]
[JsonSerializable(typeof(ContainerWaitResponse))]
[JsonSerializable(typeof(ContainerTopResponse))]
[JsonSerializable(typeof(ContainerStatsResponse))]
[JsonSerializable(typeof(ContainerUpdateRequest))]
[JsonSerializable(typeof(ContainerUpdateResponse))]
[JsonSerializable(typeof(ContainerPruneResponse))]
[JsonSerializable(typeof(List<FilesystemChange>))]
[JsonSerializable(typeof(ExecConfig))]
[JsonSerializable(typeof(ExecStartConfig))]
[JsonSerializable(typeof(ExecInspectResponse))]
[JsonSerializable(typeof(IDResponse))]
[JsonSerializable(typeof(List<ImageSummary>))]
[JsonSerializable(typeof(ImageInspect))]
[JsonSerializable(typeof(List<HistoryResponseItem>))]
[JsonSerializable(typeof(List<ImageDeleteResponseItem>))]
[JsonSerializable(typeof(ImagePruneResponse))]
[JsonSerializable(typeof(List<ImageSearchResponseItem>))]
[JsonSerializable(typeof(JsonMessage))]
[JsonSerializable(typeof(AuthConfig))]
[JsonSerializable(typeof(SystemAuthResponse))]
[JsonSerializable(typeof(Volume))]
[JsonSerializable(typeof(VolumeCreateOptions))]
[JsonSerializable(typeof(VolumeListResponse))]
[JsonSerializable(typeof(VolumePruneResponse))]
[JsonSerializable(typeof(Network))]
[JsonSerializable(typeof(List<Network>))]
[JsonSerializable(typeof(NetworkCreateRequest))]
[JsonSerializable(typeof(NetworkCreateResponse))]
[JsonSerializable(typeof(NetworkConnectRequest))]
[JsonSerializable(typeof(NetworkDisconnectRequest))]
[JsonSerializable(typeof(NetworkPruneResponse))]
[JsonSerializable(typeof(SystemVersion))]
[JsonSerializable(typeof(SystemInfo))]
[JsonSerializable(typeof(SystemDataUsageResponse))]
[JsonSerializable(typeof(EventMessage))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(Dictionary<string, List<string>>))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, bool>>))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
