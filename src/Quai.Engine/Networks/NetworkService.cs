using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Quai.Api.Models;
using Quai.Engine.Containers;
using Quai.Engine.Events;
using Quai.Engine.Store;
using Quai.Network.Bridge;
using Quai.Network.Ipam;
using Quai.Network.Namespaces;
using Quai.Network.Ports;

namespace Quai.Engine.Networks;

/// <summary>
/// docker's networks over Quai.Network: the predefined bridge (quai0), host and none networks,
/// user-defined bridge networks, and each container's attachment (a named netns joined to its
/// networks through CNI, published ports, the embedded DNS server at 127.0.0.11).
/// </summary>
public sealed partial class NetworkService
{
    private readonly EngineOptions _options;
    private readonly EventBus _events;
    private readonly ILogger _logger;
    private readonly BridgeDriver _driver;
    private readonly PortAllocator _ports = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, NetworkRecord> _networks = new(StringComparer.Ordinal);
    private readonly string _dir;

    internal NetworkService(EngineOptions options, EventBus events, ILogger logger)
    {
        _options = options;
        _events = events;
        _logger = logger;
        _dir = Path.Combine(options.DataRoot, "networks");
        Directory.CreateDirectory(_dir);
        _driver = new BridgeDriver(new BridgeDriverOptions { StateDirectory = Path.Combine(options.DataRoot, "network-state") });
        NetnsDir = Path.Combine(options.ExecRoot, "netns");
        foreach (var file in Directory.EnumerateFiles(_dir, "*.json"))
        {
            if (JsonFile.Read(file, EngineJsonContext.Default.NetworkRecord) is { } n)
            {
                _networks[n.Id] = n;
            }
        }
    }

    /// <summary>Where containers' network namespaces are bind-mounted.</summary>
    public string NetnsDir { get; }

    /// <summary>Namespaces made ahead of the starts that need them (from <see cref="InitializeAsync"/>).</summary>
    private Quai.Network.Namespaces.NetworkNamespacePool? _netnsPool;

    /// <summary>Removes the spare network namespace; containers' namespaces stay with them.</summary>
    public void Shutdown() => _netnsPool?.Dispose();

    /// <summary>A new network namespace with lo up, named after the container, at <see cref="NetnsDir"/>.</summary>
    private Quai.Network.Namespaces.NetworkNamespace CreateNamespace(string name) =>
        _netnsPool?.Create(name) ?? Quai.Network.Namespaces.NetworkNamespace.Create(NetnsDir, name);

    /// <summary>The containers (set by the engine), for DNS answers and in-use checks.</summary>
    internal Func<IReadOnlyList<ContainerRecord>> Containers { get; set; } = () => [];

    /// <summary>Creates the predefined networks and the host side (bridges, firewall chains) of every bridge network.</summary>
    public async Task InitializeAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(NetnsDir);
        _netnsPool ??= new Quai.Network.Namespaces.NetworkNamespacePool(NetnsDir);
        EnsurePredefined("host", "host", null);
        EnsurePredefined("none", "null", null);
        var bridge = DefaultBridgeNetwork.Create(_options.Bip, _options.Mtu, _options.BridgeName ?? DefaultBridgeNetwork.BridgeName);
        EnsurePredefined("bridge", "bridge", bridge);
        foreach (var n in All().Where(n => n.Driver == "bridge"))
        {
            try
            {
                await _driver.EnsureNetworkAsync(Definition(n), ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or ArgumentException)
            {
                _logger.LogWarning("network {Network}: cannot set up its bridge: {Error}", n.Name, e.Message);
            }
        }
    }

    private void EnsurePredefined(string name, string driver, BridgeNetworkDefinition? bridge)
    {
        lock (_gate)
        {
            var existing = _networks.Values.FirstOrDefault(n => n.Name == name);
            if (existing is not null)
            {
                if (bridge is not null && (existing.Subnet != bridge.Subnet.ToString() || existing.BridgeName != bridge.BridgeName))
                {
                    // daemon.json changed bip/bridge: the predefined network follows it.
                    existing.Subnet = bridge.Subnet.ToString();
                    existing.Gateway = bridge.EffectiveGateway.ToString();
                    existing.BridgeName = bridge.BridgeName;
                    Save(existing);
                }
                return;
            }
            var record = new NetworkRecord
            {
                Id = NewId(),
                Name = name,
                Driver = driver,
                Created = DateTimeOffset.UtcNow,
                Predefined = true,
                Subnet = bridge?.Subnet.ToString(),
                Gateway = bridge?.EffectiveGateway.ToString(),
                BridgeName = bridge?.BridgeName,
                Options = name == "bridge" ? new Dictionary<string, string>
                {
                    ["com.docker.network.bridge.default_bridge"] = "true",
                    ["com.docker.network.bridge.enable_icc"] = "true",
                    ["com.docker.network.bridge.enable_ip_masquerade"] = "true",
                    ["com.docker.network.bridge.name"] = bridge!.BridgeName,
                    ["com.docker.network.driver.mtu"] = (bridge.Mtu ?? 1500).ToString(System.Globalization.CultureInfo.InvariantCulture),
                } : [],
            };
            _networks[record.Id] = record;
            Save(record);
        }
    }

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private void Save(NetworkRecord n) => JsonFile.Write(Path.Combine(_dir, n.Id + ".json"), n, EngineJsonContext.Default.NetworkRecord);

    /// <summary>Every network.</summary>
    public IReadOnlyList<NetworkRecord> All()
    {
        lock (_gate)
        {
            return [.. _networks.Values];
        }
    }

    /// <summary>By full ID, name, or unique ID prefix (docker's lookup order); null when absent.</summary>
    public NetworkRecord? Find(string idOrName)
    {
        lock (_gate)
        {
            if (_networks.TryGetValue(idOrName, out var byId))
            {
                return byId;
            }
            var byName = _networks.Values.FirstOrDefault(n => n.Name == idOrName);
            if (byName is not null)
            {
                return byName;
            }
            var prefix = _networks.Values.Where(n => n.Id.StartsWith(idOrName, StringComparison.Ordinal)).ToList();
            return prefix.Count switch
            {
                1 => prefix[0],
                > 1 => throw EngineException.Invalid($"network {idOrName} is ambiguous ({prefix.Count} matches found based on ID prefix)"),
                _ => null,
            };
        }
    }

    /// <summary>404 "network x not found".</summary>
    public NetworkRecord Get(string idOrName) => Find(idOrName) ?? throw new EngineException(EngineErrorKind.NotFound, $"network {idOrName} not found");

    /// <summary>The bridge definition the driver works from.</summary>
    internal static BridgeNetworkDefinition Definition(NetworkRecord n) => new()
    {
        Name = n.Name,
        BridgeName = n.BridgeName!,
        Subnet = Ipv4Network.Parse(n.Subnet!),
        Gateway = n.Gateway is null ? null : IPAddress.Parse(n.Gateway),
        IpRange = n.IpRange is null ? null : Ipv4Network.Parse(n.IpRange),
        Internal = n.Internal,
        Mtu = n.Options.TryGetValue("com.docker.network.driver.mtu", out var mtu) && int.TryParse(mtu, out var m) && m != 1500 ? m : null,
        IpMasquerade = !n.Options.TryGetValue("com.docker.network.bridge.enable_ip_masquerade", out var masq) || masq != "false",
    };

    /// <summary>POST /networks/create.</summary>
    public async Task<NetworkRecord> CreateAsync(NetworkCreateRequest request, CancellationToken ct)
    {
        var name = request.Name ?? "";
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.Any(char.IsWhiteSpace))
        {
            throw EngineException.Invalid($"invalid network name \"{name}\": use letters, digits and . _ -");
        }
        var driver = string.IsNullOrEmpty(request.Driver) ? "bridge" : request.Driver;
        if (driver != "bridge")
        {
            throw EngineException.Invalid(driver is "host" or "null"
                ? $"only one instance of \"{driver}\" network is allowed"
                : $"plugin \"{driver}\" not found: Quai's networks use the bridge driver");
        }
        if (request.EnableIPv6 == true)
        {
            throw EngineException.Invalid("IPv6 networks are not supported by Quai yet: create the network without --ipv6");
        }
        NetworkRecord record;
        lock (_gate)
        {
            if (_networks.Values.Any(n => n.Name == name))
            {
                throw EngineException.Conflict($"network with name {name} already exists");
            }
            var config = request.IPAM?.Config?.FirstOrDefault(c => !string.IsNullOrEmpty(c.Subnet) && !c.Subnet.Contains(':', StringComparison.Ordinal));
            Ipv4Network subnet;
            var inUse = _networks.Values.Where(n => n.Subnet is not null).Select(n => Ipv4Network.Parse(n.Subnet!)).ToList();
            if (config?.Subnet is { } given)
            {
                if (!Ipv4Network.TryParse(given, out subnet))
                {
                    throw EngineException.Invalid($"invalid subnet {given}: use CIDR notation such as 10.10.0.0/24");
                }
                var clash = _networks.Values.FirstOrDefault(n => n.Subnet is not null && Ipv4Network.Parse(n.Subnet).Overlaps(subnet));
                if (clash is not null)
                {
                    throw new EngineException(EngineErrorKind.Forbidden, $"Pool overlaps with other one on this address space (network {clash.Name} has {clash.Subnet})");
                }
            }
            else
            {
                try
                {
                    subnet = new SubnetAllocator(_options.AddressPools.Count > 0 ? _options.AddressPools : null).Allocate(inUse);
                }
                catch (InvalidOperationException e)
                {
                    throw new EngineException(EngineErrorKind.Forbidden, e.Message, e);
                }
            }
            var id = NewId();
            var options = new Dictionary<string, string>(request.Options ?? []);
            record = new NetworkRecord
            {
                Id = id,
                Name = name,
                Driver = "bridge",
                Created = DateTimeOffset.UtcNow,
                Subnet = subnet.ToString(),
                Gateway = string.IsNullOrEmpty(config?.Gateway) ? subnet.FirstHost.ToString() : config.Gateway,
                IpRange = string.IsNullOrEmpty(config?.IPRange) ? null : config.IPRange,
                BridgeName = options.TryGetValue("com.docker.network.bridge.name", out var bn) && bn.Length > 0 ? bn : "br-" + id[..12],
                Internal = request.Internal == true,
                Attachable = request.Attachable == true,
                Labels = new Dictionary<string, string>(request.Labels ?? []),
                Options = options,
                SubnetGiven = config?.Subnet is not null,
            };
            try
            {
                Definition(record).Validate();
            }
            catch (ArgumentException e)
            {
                throw EngineException.Invalid(e.Message);
            }
            _networks[id] = record;
        }
        try
        {
            await _driver.CreateNetworkAsync(Definition(record), ct).ConfigureAwait(false);
            Save(record);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or ArgumentException)
        {
            lock (_gate)
            {
                _networks.Remove(record.Id);
            }
            await _driver.RemoveNetworkAsync(Definition(record), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            throw new EngineException(EngineErrorKind.Internal, $"failed to create network {name}: {e.Message}", e);
        }
        _events.Publish("network", "create", record.Id, new Dictionary<string, string> { ["name"] = name, ["type"] = "bridge" });
        return record;
    }

    /// <summary>DELETE /networks/{id}: refuses predefined networks and networks with containers.</summary>
    public async Task RemoveAsync(string idOrName, CancellationToken ct)
    {
        var n = Get(idOrName);
        if (n.Predefined)
        {
            throw new EngineException(EngineErrorKind.Forbidden, $"{n.Name} is a pre-defined network and cannot be removed");
        }
        var users = Containers().Where(c => c.NetworkSettings?.Networks?.ContainsKey(n.Name) == true && c.State.IsRunning).ToList();
        if (users.Count > 0)
        {
            throw new EngineException(EngineErrorKind.Forbidden, $"error while removing network: network {n.Name} id {n.Id} has active endpoints");
        }
        await _driver.RemoveNetworkAsync(Definition(n), ct).ConfigureAwait(false);
        lock (_gate)
        {
            _networks.Remove(n.Id);
        }
        File.Delete(Path.Combine(_dir, n.Id + ".json"));
        _events.Publish("network", "destroy", n.Id, new Dictionary<string, string> { ["name"] = n.Name, ["type"] = "bridge" });
    }

    /// <summary>The network in docker's shape, with the running containers attached to it.</summary>
    public Quai.Api.Models.Network ToApi(NetworkRecord n, bool verbose = true)
    {
        var containers = new Dictionary<string, NetworkContainer>(StringComparer.Ordinal);
        if (verbose)
        {
            foreach (var c in Containers())
            {
                if (c.State.IsRunning && c.NetworkSettings?.Networks?.TryGetValue(n.Name, out var ep) == true && ep is not null && (n.Driver == "bridge" ? !string.IsNullOrEmpty(ep.IPAddress) : true))
                {
                    containers[c.Id] = new NetworkContainer
                    {
                        Name = c.Name,
                        EndpointID = ep.EndpointID ?? "",
                        MacAddress = ep.MacAddress ?? "",
                        IPv4Address = string.IsNullOrEmpty(ep.IPAddress) ? "" : ep.IPAddress + "/" + ep.IPPrefixLen,
                        IPv6Address = "",
                    };
                }
            }
        }
        return new Quai.Api.Models.Network
        {
            Name = n.Name,
            Id = n.Id,
            Created = ContainerService.Rfc3339(n.Created),
            Scope = "local",
            Driver = n.Driver,
            EnableIPv4 = true,
            EnableIPv6 = false,
            IPAM = new IPAM
            {
                Driver = "default",
                Options = [],
                Config = n.Subnet is null ? [] : [new IPAMConfig { Subnet = n.Subnet, Gateway = n.Gateway, IPRange = n.IpRange }],
            },
            Internal = n.Internal,
            Attachable = n.Attachable,
            Ingress = false,
            ConfigOnly = false,
            Containers = containers,
            Options = n.Options,
            Labels = n.Labels,
        };
    }

    /// <summary>GET /networks with filters (name, id, driver, label, type, dangling, scope).</summary>
    public List<Quai.Api.Models.Network> List(Filters filters)
    {
        filters.Validate("name", "id", "driver", "label", "label!", "type", "dangling", "scope");
        var used = Containers().SelectMany(c => c.NetworkSettings?.Networks?.Keys ?? (IEnumerable<string>)[]).ToHashSet(StringComparer.Ordinal);
        return [.. All().Where(n =>
            filters.MatchSubstring("name", n.Name) && (filters.Get("id") is not { Count: > 0 } ids || ids.Any(i => n.Id.StartsWith(i, StringComparison.Ordinal)))
            && filters.MatchExact("driver", n.Driver) && filters.MatchLabels(n.Labels) && filters.MatchExact("scope", "local")
            && (filters.Get("type") is not { Count: > 0 } t || t.Contains(n.Predefined ? "builtin" : "custom"))
            && (filters.Get("dangling") is not { Count: > 0 } d || (d[0] is "true" or "1") == (!n.Predefined && !used.Contains(n.Name))))
            .OrderBy(n => n.Name, StringComparer.Ordinal).Select(n => ToApi(n))];
    }

    /// <summary>POST /networks/prune: user networks no container uses.</summary>
    public async Task<List<string>> PruneAsync(Filters filters, CancellationToken ct)
    {
        filters.Validate("label", "label!", "until");
        var used = Containers().SelectMany(c => c.NetworkSettings?.Networks?.Keys ?? (IEnumerable<string>)[]).ToHashSet(StringComparer.Ordinal);
        var deleted = new List<string>();
        foreach (var n in All().Where(n => !n.Predefined && !used.Contains(n.Name) && filters.MatchLabels(n.Labels)))
        {
            await RemoveAsync(n.Id, ct).ConfigureAwait(false);
            deleted.Add(n.Name);
        }
        return deleted;
    }
}
