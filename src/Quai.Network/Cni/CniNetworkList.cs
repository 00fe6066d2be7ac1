using System.Text.Json;
using System.Text.Json.Nodes;

namespace Quai.Network.Cni;

/// <summary>
/// A CNI network configuration list (SPEC.md "Network configuration lists"): ADD runs the plugins
/// in order passing each one the previous result; DEL runs them in reverse with the cached ADD
/// result; CHECK runs them in order with it. Results are cached as files under the caller's cache
/// directory, like libcni's /var/lib/cni/results.
/// </summary>
public sealed class CniNetworkList
{
    private readonly JsonObject[] plugins;
    private readonly CniInvoker invoker;
    private readonly CniResultCache cache;

    /// <summary>Parses <paramref name="conflistJson"/>; results are cached under <paramref name="cacheDirectory"/>.</summary>
    public CniNetworkList(string conflistJson, CniInvoker invoker, string cacheDirectory)
    {
        ArgumentNullException.ThrowIfNull(invoker);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(conflistJson) as JsonObject ?? throw new ArgumentException("a CNI conflist must be a JSON object", nameof(conflistJson));
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"the CNI conflist is not valid JSON: {e.Message}", nameof(conflistJson), e);
        }
        Name = root["name"]?.GetValue<string>() ?? throw new ArgumentException("the CNI conflist has no \"name\"", nameof(conflistJson));
        CniVersion = root["cniVersion"]?.GetValue<string>() ?? "1.0.0";
        plugins = ParsePlugins(root, Name, nameof(conflistJson));
        this.invoker = invoker;
        cache = new CniResultCache(cacheDirectory);
        ConflistJson = root.ToJsonString();
    }

    /// <summary>The network name ("name").</summary>
    public string Name { get; }

    /// <summary>The "cniVersion" of the list.</summary>
    public string CniVersion { get; }

    /// <summary>The conflist as JSON.</summary>
    public string ConflistJson { get; }

    /// <summary>The plugin types in order.</summary>
    public IReadOnlyList<string> PluginTypes => plugins.Select(p => p["type"]!.GetValue<string>()).ToArray();

    /// <summary>
    /// ADD: attaches the container. On failure the plugins already run are undone with a DEL
    /// (SPEC.md: the runtime cleans up after a failed ADD) and the first error is thrown.
    /// </summary>
    public async Task<CniResult> AddAsync(CniRuntimeConf runtime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        string? previous = null;
        try
        {
            foreach (var plugin in plugins)
            {
                var type = plugin["type"]!.GetValue<string>();
                var stdout = await invoker.ExecAsync(type, "ADD", runtime, BuildConfig(plugin, runtime.CapabilityArgs, previous), cancellationToken).ConfigureAwait(false);
                // A plugin with nothing to add may pass the previous result through unchanged.
                previous = string.IsNullOrWhiteSpace(stdout) ? previous : stdout;
            }
        }
        catch (Exception)
        {
            try
            {
                await DeleteAllAsync(plugins, runtime, runtime.CapabilityArgs, previous, CancellationToken.None).ConfigureAwait(false);
            }
            catch (CniException)
            {
                // The ADD error is the one to report; the DEL was best effort.
            }
            throw;
        }
        var result = CniInvoker.ParseResult(PluginTypes[^1], previous ?? "{}");
        cache.Write(new CniCacheEntry
        {
            ContainerId = runtime.ContainerId,
            IfName = runtime.IfName,
            NetworkName = Name,
            Netns = runtime.NetnsPath,
            CniArgs = runtime.Args,
            CapabilityArgsJson = SerializeCapabilityArgs(runtime.CapabilityArgs),
            ResultJson = result.RawJson,
            ConflistJson = ConflistJson,
        });
        return result;
    }

    /// <summary>
    /// DEL: detaches the container, running every plugin in reverse even when an earlier one
    /// fails, so IPAM leases and iptables rules are released even if the netns or the cached
    /// result is gone. Idempotent. The cache entry is removed once every plugin succeeded.
    /// </summary>
    public async Task DelAsync(CniRuntimeConf runtime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var cached = cache.Read(Name, runtime.ContainerId, runtime.IfName);
        var capabilityArgs = runtime.CapabilityArgs.Count > 0 ? runtime.CapabilityArgs : DeserializeCapabilityArgs(cached?.CapabilityArgsJson);
        // The plugins the ADD ran, as it ran them; this list's own when nothing (or an entry from
        // before configs were cached) says otherwise.
        var added = CachedPlugins(cached) ?? plugins;
        await DeleteAllAsync(added, runtime, capabilityArgs, cached?.ResultJson, cancellationToken).ConfigureAwait(false);
        cache.Delete(Name, runtime.ContainerId, runtime.IfName);
    }

    /// <summary>CHECK: asks every plugin to verify the attachment against the cached ADD result.</summary>
    public async Task CheckAsync(CniRuntimeConf runtime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var cached = cache.Read(Name, runtime.ContainerId, runtime.IfName)
            ?? throw new InvalidOperationException($"no cached CNI result for container {runtime.ContainerId} on network {Name}: was it attached?");
        var capabilityArgs = runtime.CapabilityArgs.Count > 0 ? runtime.CapabilityArgs : DeserializeCapabilityArgs(cached.CapabilityArgsJson);
        foreach (var plugin in CachedPlugins(cached) ?? plugins)
        {
            await invoker.ExecAsync(plugin["type"]!.GetValue<string>(), "CHECK", runtime, BuildConfig(plugin, capabilityArgs, cached.ResultJson), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The cached ADD result of an attachment, or null when none is cached.</summary>
    public CniResult? GetCachedResult(string containerId, string ifName = "eth0")
    {
        var cached = cache.Read(Name, containerId, ifName);
        return cached?.ResultJson is { } json ? CniInvoker.ParseResult(PluginTypes[^1], json) : null;
    }

    /// <summary>The plugin types the cached ADD of an attachment ran (its conflist), or null when nothing is cached or the entry predates cached configs.</summary>
    public IReadOnlyList<string>? GetCachedPluginTypes(string containerId, string ifName = "eth0") =>
        CachedPlugins(cache.Read(Name, containerId, ifName))?.Select(p => p["type"]!.GetValue<string>()).ToArray();

    /// <summary>The cached conflist of an attachment, or null when nothing is cached or the entry predates cached configs.</summary>
    public string? GetCachedConflist(string containerId, string ifName = "eth0") => cache.Read(Name, containerId, ifName)?.ConflistJson;

    private JsonObject[]? CachedPlugins(CniCacheEntry? cached)
    {
        if (cached?.ConflistJson is not { } json)
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(json) is JsonObject root ? ParsePlugins(root, Name, "config") : null;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return null; // a damaged entry: fall back to the network's own plugins
        }
    }

    private static JsonObject[] ParsePlugins(JsonObject root, string name, string parameter)
    {
        var list = (root["plugins"] as JsonArray ?? throw new ArgumentException($"CNI conflist '{name}' has no \"plugins\" array", parameter))
            .Select(p => p as JsonObject ?? throw new ArgumentException($"CNI conflist '{name}' has a plugin that is not an object", parameter))
            .ToArray();
        foreach (var plugin in list)
        {
            if (plugin["type"]?.GetValue<string>() is not { Length: > 0 })
            {
                throw new ArgumentException($"CNI conflist '{name}' has a plugin without \"type\"", parameter);
            }
        }
        return list;
    }

    private async Task DeleteAllAsync(JsonObject[] chain, CniRuntimeConf runtime, IReadOnlyDictionary<string, JsonNode> capabilityArgs, string? previous, CancellationToken cancellationToken)
    {
        // SPEC.md: CNI_NETNS may be empty on DEL when the namespace is already gone.
        var delRuntime = File.Exists(runtime.NetnsPath) ? runtime : runtime with { NetnsPath = "" };
        CniException? first = null;
        for (var i = chain.Length - 1; i >= 0; i--)
        {
            var type = chain[i]["type"]!.GetValue<string>();
            try
            {
                await invoker.ExecAsync(type, "DEL", delRuntime, BuildConfig(chain[i], capabilityArgs, previous), cancellationToken).ConfigureAwait(false);
            }
            catch (CniException e)
            {
                first ??= e;
            }
        }
        if (first is not null)
        {
            throw first;
        }
    }

    private string BuildConfig(JsonObject plugin, IReadOnlyDictionary<string, JsonNode> capabilityArgs, string? previousResult)
    {
        var config = (JsonObject)plugin.DeepClone();
        config["name"] = Name;
        config["cniVersion"] = CniVersion;
        if (previousResult is not null)
        {
            config["prevResult"] = JsonNode.Parse(previousResult);
        }
        // CONVENTIONS.md: runtimeConfig carries only the capabilities the plugin declares.
        if (config["capabilities"] is JsonObject capabilities)
        {
            var runtimeConfig = new JsonObject();
            foreach (var (name, enabled) in capabilities)
            {
                if (enabled is JsonValue v && v.TryGetValue<bool>(out var on) && on && capabilityArgs.TryGetValue(name, out var value))
                {
                    runtimeConfig[name] = value.DeepClone();
                }
            }
            if (runtimeConfig.Count > 0)
            {
                config["runtimeConfig"] = runtimeConfig;
            }
        }
        return config.ToJsonString();
    }

    private static string? SerializeCapabilityArgs(IReadOnlyDictionary<string, JsonNode> args)
    {
        if (args.Count == 0)
        {
            return null;
        }
        var o = new JsonObject();
        foreach (var (k, v) in args)
        {
            o[k] = v.DeepClone();
        }
        return o.ToJsonString();
    }

    private static Dictionary<string, JsonNode> DeserializeCapabilityArgs(string? json)
    {
        var result = new Dictionary<string, JsonNode>();
        if (json is not null && JsonNode.Parse(json) is JsonObject o)
        {
            foreach (var (k, v) in o)
            {
                if (v is not null)
                {
                    result[k] = v.DeepClone();
                }
            }
        }
        return result;
    }
}
