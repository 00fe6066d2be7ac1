using System.Text.Json.Serialization;

namespace Quai.Network.Cni;

/// <summary>A CNI success result (SPEC.md "Success", version 1.0.0): interfaces, IPs, routes, DNS.</summary>
public sealed record CniResult
{
    [JsonPropertyName("cniVersion")]
    public string? CniVersion { get; init; }

    [JsonPropertyName("interfaces")]
    public IReadOnlyList<CniInterface>? Interfaces { get; init; }

    [JsonPropertyName("ips")]
    public IReadOnlyList<CniIpConfig>? Ips { get; init; }

    [JsonPropertyName("routes")]
    public IReadOnlyList<CniRoute>? Routes { get; init; }

    [JsonPropertyName("dns")]
    public CniDns? Dns { get; init; }

    /// <summary>The result exactly as the last plugin printed it (passed on as prevResult and cached).</summary>
    [JsonIgnore]
    public string RawJson { get; init; } = "{}";
}

/// <summary>One interface of a result; <c>Sandbox</c> is the netns path for container-side interfaces.</summary>
public sealed record CniInterface(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("mac")] string? Mac,
    [property: JsonPropertyName("sandbox")] string? Sandbox);

/// <summary>One IP configuration: CIDR address, gateway and the index of its interface.</summary>
public sealed record CniIpConfig(
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("gateway")] string? Gateway,
    [property: JsonPropertyName("interface")] int? Interface);

/// <summary>A route: destination CIDR and optional gateway.</summary>
public sealed record CniRoute(
    [property: JsonPropertyName("dst")] string Dst,
    [property: JsonPropertyName("gw")] string? Gw);

/// <summary>DNS information a plugin may return.</summary>
public sealed record CniDns(
    [property: JsonPropertyName("nameservers")] IReadOnlyList<string>? Nameservers,
    [property: JsonPropertyName("domain")] string? Domain,
    [property: JsonPropertyName("search")] IReadOnlyList<string>? Search,
    [property: JsonPropertyName("options")] IReadOnlyList<string>? Options);

/// <summary>A CNI error result (SPEC.md "Error"): code, msg, details.</summary>
public sealed record CniError(
    [property: JsonPropertyName("cniVersion")] string? CniVersion,
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("msg")] string? Msg,
    [property: JsonPropertyName("details")] string? Details);

/// <summary>
/// What a DEL needs after the fact, stored like libcni's /var/lib/cni/results entries:
/// the ADD's result, CNI_ARGS, capability args and the conflist the ADD ran ("config" in libcni's
/// cache), so that the DEL runs the same plugins with the same configuration even when the
/// network's conflist has changed since (SPEC.md: DEL must be given the ADD's configuration).
/// </summary>
public sealed record CniCacheEntry
{
    [JsonPropertyName("kind")]
    public string Kind { get; init; } = "cniCacheV1";

    [JsonPropertyName("containerId")]
    public required string ContainerId { get; init; }

    [JsonPropertyName("ifName")]
    public required string IfName { get; init; }

    [JsonPropertyName("networkName")]
    public required string NetworkName { get; init; }

    [JsonPropertyName("netns")]
    public string? Netns { get; init; }

    [JsonPropertyName("cniArgs")]
    public IReadOnlyList<KeyValuePair<string, string>>? CniArgs { get; init; }

    [JsonPropertyName("capabilityArgs")]
    public string? CapabilityArgsJson { get; init; }

    [JsonPropertyName("result")]
    public string? ResultJson { get; init; }

    [JsonPropertyName("config")]
    public string? ConflistJson { get; init; }
}

[JsonSerializable(typeof(CniResult))]
[JsonSerializable(typeof(CniError))]
[JsonSerializable(typeof(CniCacheEntry))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class CniJsonContext : JsonSerializerContext;
