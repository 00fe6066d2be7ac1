using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Quai.Api.Models;
using Quai.Engine.Containers;
using Quai.Network.Bridge;
using Quai.Network.Dns;
using Quai.Network.Files;
using Quai.Network.Namespaces;
using Quai.Network.Ports;
using PortBinding = Quai.Api.Models.PortBinding;

namespace Quai.Engine.Networks;

public sealed partial class NetworkService
{
    private readonly ConcurrentDictionary<string, EmbeddedDnsServer> _dns = new(StringComparer.Ordinal);

    /// <summary>The networks a container joins, recorded at create in NetworkSettings.Networks (docker's EndpointsConfig).</summary>
    internal void PlanMembership(ContainerRecord c)
    {
        var mode = c.HostConfig.NetworkMode ?? "bridge";
        var networks = new Dictionary<string, EndpointSettings>(StringComparer.Ordinal);
        if (mode.StartsWith("container:", StringComparison.Ordinal))
        {
            c.NetworkSettings = new NetworkSettings { Networks = networks, Ports = [] };
            return;
        }
        var primary = Get(mode);
        var endpoints = c.NetworkingConfig?.EndpointsConfig ?? [];
        networks[primary.Name] = Endpoint(c, primary, endpoints.GetValueOrDefault(primary.Name) ?? endpoints.GetValueOrDefault(mode) ?? endpoints.GetValueOrDefault("default"));
        foreach (var (name, ep) in endpoints)
        {
            // The CLI names the default network "default" in EndpointsConfig (API 1.44+).
            var n = name == "default" ? primary : Get(name);
            if (networks.ContainsKey(n.Name))
            {
                continue;
            }
            if (primary.Driver != "bridge" || n.Driver != "bridge")
            {
                throw EngineException.Invalid($"container cannot be connected to network {n.Name} and {primary.Name}: host and none networks stand alone");
            }
            networks[n.Name] = Endpoint(c, n, ep);
        }
        if (primary.Driver != "bridge" && (c.HostConfig.PortBindings?.Count > 0 || c.HostConfig.PublishAllPorts == true) && primary.Name == "host")
        {
            // docker ignores published ports in host mode (and warns); keep the same outcome.
            c.HostConfig.PortBindings = [];
        }
        c.NetworkSettings = new NetworkSettings { Networks = networks, Ports = [] };
    }

    private static EndpointSettings Endpoint(ContainerRecord c, NetworkRecord n, EndpointSettings? requested)
    {
        if (requested?.IPAMConfig?.IPv4Address is { Length: > 0 } && n.Predefined)
        {
            throw EngineException.Invalid("user specified IP address is supported only when connecting to networks with user configured subnets");
        }
        var aliases = new List<string>(requested?.Aliases ?? []);
        return new EndpointSettings
        {
            NetworkID = n.Id,
            Aliases = aliases,
            IPAMConfig = requested?.IPAMConfig,
            MacAddress = requested?.MacAddress ?? "",
            // moby's GwPriority is a plain int (API 1.48): 0, never null. Docker.DotNet.Enhanced
            // (Testcontainers 4) reads it into a long and fails on null.
            GwPriority = requested?.GwPriority ?? 0,
            Links = requested?.Links,
            DriverOpts = requested?.DriverOpts,
            EndpointID = "",
            Gateway = "",
            IPAddress = "",
            IPPrefixLen = 0,
            IPv6Gateway = "",
            GlobalIPv6Address = "",
            GlobalIPv6PrefixLen = 0,
            DNSNames = n.Predefined ? null : [c.Name, c.Id[..12], .. aliases],
        };
    }

    /// <summary>
    /// At start, the first half: the container's named netns (under the exec root), with lo up.
    /// Returns its path and whether the container will use the embedded DNS server, or null for
    /// host mode. <see cref="ConnectSandboxAsync"/> joins it to its networks.
    /// </summary>
    internal (string NetnsPath, bool EmbeddedDns)? CreateSandbox(ContainerRecord c)
    {
        var joined = Joined(c);
        if (joined.Any(j => j.Network?.Driver == "host"))
        {
            return null;
        }
        var missing = joined.FirstOrDefault(j => j.Network is null);
        if (missing.Name is not null)
        {
            throw new EngineException(EngineErrorKind.NotFound, $"network {missing.Name} not found: it was removed since the container was created; disconnect it or recreate the network");
        }
        CleanupNamespace(c.Id);
        var netns = CreateNamespace(c.Id);
        // The embedded server runs on user networks, as docker's; also on the default bridge when
        // every nameserver given (--dns or daemon.json "dns") is a loopback address, which the
        // container cannot reach in its own netns but the server, forwarding from the daemon's
        // netns, can (docker would write an unusable resolv.conf there).
        var bridges = joined.Where(j => j.Network!.Driver == "bridge").ToList();
        var embedded = bridges.Any(b => !b.Network!.Predefined) || (bridges.Count > 0 && OnlyLoopbackNameservers(c));
        return (netns.Path, embedded);
    }

    private List<(string Name, EndpointSettings Endpoint, NetworkRecord? Network)> Joined(ContainerRecord c)
    {
        var settings = c.NetworkSettings ??= new NetworkSettings { Networks = [], Ports = [] };
        return (settings.Networks ?? []).Select(kv => (Name: kv.Key, Endpoint: kv.Value, Network: Find(kv.Key))).ToList();
    }

    /// <summary>
    /// At start, the second half: the netns <see cref="CreateSandbox"/> made joined to each bridge
    /// network (eth0, eth1, …) through CNI ADD with its published ports, and the embedded DNS
    /// server started when it is to have one. Returns the primary address and gateway. On failure
    /// nothing stays, the netns included.
    /// </summary>
    internal async Task<(IPAddress? Address, IPAddress? Gateway)> ConnectSandboxAsync(ContainerRecord c, string netnsPath, bool embeddedDns, CancellationToken ct)
    {
        var settings = c.NetworkSettings ??= new NetworkSettings { Networks = [], Ports = [] };
        var joined = Joined(c);
        var attached = new List<(NetworkRecord Network, string IfName)>();
        try
        {
            var bridges = joined.Where(j => j.Network is { Driver: "bridge" }).ToList();
            IReadOnlyList<PortMapping> mappings = [];
            if (bridges.Count > 0)
            {
                mappings = AllocatePorts(c);
            }
            IPAddress? primaryAddress = null, primaryGateway = null;
            for (var i = 0; i < bridges.Count; i++)
            {
                var (name, ep, n) = bridges[i];
                var ifName = "eth" + i.ToString(CultureInfo.InvariantCulture);
                IPAddress? ip = ep.IPAMConfig?.IPv4Address is { Length: > 0 } wanted ? IPAddress.Parse(wanted) : null;
                AttachResult r;
                try
                {
                    r = await _driver.AttachAsync(Definition(n!), c.Id, netnsPath, new AttachOptions
                    {
                        InterfaceName = ifName,
                        IpAddress = ip,
                        MacAddress = string.IsNullOrEmpty(ep.MacAddress) ? null : ep.MacAddress,
                        Aliases = ep.Aliases ?? [],
                        PortMappings = i == 0 ? mappings : [],
                    }, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or Quai.Network.Cni.CniException)
                {
                    throw new EngineException(EngineErrorKind.Internal, $"failed to set up container networking on network {name}: {e.Message}", e);
                }
                attached.Add((n!, ifName));
                ep.IPAddress = r.IpAddress.ToString();
                ep.IPPrefixLen = r.PrefixLength;
                ep.Gateway = r.Gateway?.ToString() ?? "";
                ep.MacAddress = r.MacAddress ?? "";
                ep.EndpointID = NewId();
                ep.NetworkID = n!.Id;
                if (i == 0)
                {
                    primaryAddress = r.IpAddress;
                    primaryGateway = r.Gateway;
                }
            }
            if (mappings.Count > 0 && primaryAddress is not null)
            {
                _ports.StartIpv6Relays(c.Id, primaryAddress);
            }
            settings.SandboxKey = netnsPath;
            settings.SandboxID = c.Id;
            settings.Ports = PortMap(c, mappings);
            if (settings.Networks!.TryGetValue("bridge", out var defaultEp))
            {
                settings.IPAddress = defaultEp.IPAddress;
                settings.IPPrefixLen = defaultEp.IPPrefixLen;
                settings.Gateway = defaultEp.Gateway;
                settings.MacAddress = defaultEp.MacAddress;
                settings.Bridge = "";
            }
            if (embeddedDns)
            {
                StartDns(c, netnsPath, bridges.All(b => b.Network!.Internal));
            }
            return (primaryAddress, primaryGateway);
        }
        catch
        {
            await DetachAttachmentsAsync(c, netnsPath, attached).ConfigureAwait(false);
            _ports.Release(c.Id);
            NetworkNamespace.Delete(netnsPath);
            ClearAddresses(c);
            throw;
        }
    }

    /// <summary>True when the container's explicit nameservers (its own --dns, else the daemon's) are all loopback addresses.</summary>
    private bool OnlyLoopbackNameservers(ContainerRecord c)
    {
        var given = c.HostConfig.Dns is { Count: > 0 } own ? own : _options.Dns;
        return given.Count > 0 && given.All(n => IPAddress.TryParse(n, out var a) && IPAddress.IsLoopback(a));
    }

    private IReadOnlyList<PortMapping> AllocatePorts(ContainerRecord c)
    {
        var bindings = new Dictionary<string, IReadOnlyList<Quai.Network.Ports.PortBinding>?>(StringComparer.Ordinal);
        foreach (var (key, list) in c.HostConfig.PortBindings ?? [])
        {
            bindings[key] = list?.Select(b => new Quai.Network.Ports.PortBinding(b.HostIp ?? "", b.HostPort ?? "")).ToList();
        }
        if (c.HostConfig.PublishAllPorts == true)
        {
            foreach (var exposed in (c.Config.ExposedPorts ?? []).Keys)
            {
                var key = exposed.Contains('/', StringComparison.Ordinal) ? exposed : exposed + "/tcp";
                if (!bindings.ContainsKey(key) && !bindings.ContainsKey(exposed))
                {
                    bindings[key] = [new Quai.Network.Ports.PortBinding("", "")];
                }
            }
        }
        if (bindings.Count == 0)
        {
            return [];
        }
        try
        {
            var ports = PortSpecParser.FromPortBindings(bindings);
            return _ports.Allocate(c.Id, ports);
        }
        catch (PortAllocatedException e)
        {
            throw new EngineException(EngineErrorKind.Internal, $"driver failed programming external connectivity on endpoint {c.Name} ({c.Id}): {e.Message}", e);
        }
        catch (FormatException e)
        {
            throw EngineException.Invalid(e.Message);
        }
    }

    /// <summary>NetworkSettings.Ports: every exposed or published port, with its host bindings (null when only exposed).</summary>
    private static Dictionary<string, List<PortBinding>?> PortMap(ContainerRecord c, IReadOnlyList<PortMapping> mappings)
    {
        var map = new Dictionary<string, List<PortBinding>?>(StringComparer.Ordinal);
        foreach (var exposed in (c.Config.ExposedPorts ?? []).Keys)
        {
            map[exposed.Contains('/', StringComparison.Ordinal) ? exposed : exposed + "/tcp"] = null;
        }
        foreach (var m in mappings)
        {
            if (!map.TryGetValue(m.PortKey, out var list) || list is null)
            {
                map[m.PortKey] = list = [];
            }
            list.Add(new PortBinding { HostIp = m.DisplayHostIp, HostPort = m.HostPort.ToString(CultureInfo.InvariantCulture) });
            if (m.Ipv6)
            {
                // docker lists the [::] half of an all-address publication after the 0.0.0.0 one.
                list.Add(new PortBinding { HostIp = "::", HostPort = m.HostPort.ToString(CultureInfo.InvariantCulture) });
            }
        }
        return map;
    }

    private void StartDns(ContainerRecord c, string netnsPath, bool internalOnly)
    {
        var upstream = _options.Dns.Count > 0 ? _options.Dns : ResolvConf.ForContainer(ResolvConf.ReadHost(), embeddedDns: true).UpstreamNameservers;
        if (c.HostConfig.Dns is { Count: > 0 } own)
        {
            upstream = own;
        }
        var server = EmbeddedDnsServer.Start(c.Id, netnsPath, new EmbeddedDnsServerOptions
        {
            Resolve = Resolve,
            ResolveReverse = ResolveReverse,
            Upstreams = ResolvConf.ToEndpoints(upstream),
            ForwardExternal = !internalOnly,
            Logger = _logger,
        });
        if (_dns.TryRemove(c.Id, out var old))
        {
            _ = old.DisposeAsync();
        }
        _dns[c.Id] = server;
    }

    /// <summary>The embedded resolver's answers: containers sharing a user network with the asker, by name, ID prefix, alias or hostname.</summary>
    private IReadOnlyList<IPAddress> Resolve(string containerId, string name)
    {
        name = name.TrimEnd('.');
        var all = Containers();
        var asker = all.FirstOrDefault(c => c.Id == containerId);
        if (asker?.NetworkSettings?.Networks is not { } mine)
        {
            return [];
        }
        var result = new List<IPAddress>();
        foreach (var (netName, _) in mine)
        {
            var n = Find(netName);
            if (n is null || n.Predefined)
            {
                continue;
            }
            foreach (var other in all)
            {
                if (!other.State.IsRunning || other.NetworkSettings?.Networks?.TryGetValue(netName, out var ep) != true || ep is null || string.IsNullOrEmpty(ep.IPAddress))
                {
                    continue;
                }
                var matches = string.Equals(other.Name, name, StringComparison.OrdinalIgnoreCase)
                    || (name.Length >= 12 && other.Id.StartsWith(name, StringComparison.Ordinal))
                    || (ep.Aliases ?? []).Any(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase))
                    || string.Equals(other.Config.Hostname, name, StringComparison.OrdinalIgnoreCase)
                    || string.Equals(other.Name + "." + netName, name, StringComparison.OrdinalIgnoreCase);
                if (matches && IPAddress.TryParse(ep.IPAddress, out var address) && !result.Contains(address))
                {
                    result.Add(address);
                }
            }
        }
        return result;
    }

    private string? ResolveReverse(string containerId, IPAddress address)
    {
        var text = address.ToString();
        foreach (var other in Containers())
        {
            foreach (var (netName, ep) in other.NetworkSettings?.Networks ?? [])
            {
                if (ep?.IPAddress == text && other.State.IsRunning)
                {
                    return other.Name + "." + netName;
                }
            }
        }
        _ = containerId;
        return null;
    }

    /// <summary>At exit (or a failed start): DNS off, CNI DEL on each network, ports released, netns gone. Idempotent.</summary>
    internal async Task DetachAsync(ContainerRecord c)
    {
        if (_dns.TryRemove(c.Id, out var dns))
        {
            await dns.DisposeAsync().ConfigureAwait(false);
        }
        var path = Path.Combine(NetnsDir, c.Id);
        var bridges = (c.NetworkSettings?.Networks ?? []).Select(kv => Find(kv.Key)).Where(n => n?.Driver == "bridge").ToList();
        await DetachAttachmentsAsync(c, path, [.. bridges.Select((n, i) => (n!, "eth" + i.ToString(CultureInfo.InvariantCulture)))]).ConfigureAwait(false);
        _ports.Release(c.Id);
        CleanupNamespace(c.Id);
        ClearAddresses(c);
    }

    private async Task DetachAttachmentsAsync(ContainerRecord c, string netnsPath, List<(NetworkRecord Network, string IfName)> attached)
    {
        foreach (var (n, ifName) in attached)
        {
            try
            {
                await _driver.DetachAsync(Definition(n), c.Id, Path.Exists(netnsPath) ? netnsPath : "", ifName, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or Quai.Network.Cni.CniException or ArgumentException)
            {
                _logger.LogWarning("detaching {Container} from network {Network} failed: {Error}", c.ShortId, n.Name, e.Message);
            }
        }
    }

    private void CleanupNamespace(string containerId)
    {
        var path = Path.Combine(NetnsDir, containerId);
        if (File.Exists(path))
        {
            NetworkNamespace.Delete(path);
        }
    }

    private static void ClearAddresses(ContainerRecord c)
    {
        if (c.NetworkSettings is not { } s)
        {
            return;
        }
        foreach (var ep in (s.Networks ?? []).Values)
        {
            ep.IPAddress = "";
            ep.IPPrefixLen = 0;
            ep.Gateway = "";
            ep.EndpointID = "";
        }
        s.IPAddress = "";
        s.IPPrefixLen = 0;
        s.Gateway = "";
        s.SandboxKey = "";
        s.Ports = [];
    }

    /// <summary>After a daemon restart: a running container gets its port reservations and DNS server back.</summary>
    internal void Restore(ContainerRecord c)
    {
        var path = Path.Combine(NetnsDir, c.Id);
        if (!File.Exists(path))
        {
            return;
        }
        var fixedPorts = new List<PublishedPort>();
        foreach (var (key, list) in c.NetworkSettings?.Ports ?? [])
        {
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            var port = int.Parse(slash < 0 ? key : key[..slash], CultureInfo.InvariantCulture);
            var proto = slash < 0 ? "tcp" : key[(slash + 1)..];
            foreach (var b in list ?? [])
            {
                // The [::] half comes back with its 0.0.0.0 entry.
                if (b.HostIp != "::" && int.TryParse(b.HostPort, out var hp))
                {
                    fixedPorts.Add(new PublishedPort(port, proto, b.HostIp is "0.0.0.0" ? "" : b.HostIp ?? "", hp, hp));
                }
            }
        }
        try
        {
            _ports.Allocate(c.Id, fixedPorts);
            var published = (c.NetworkSettings?.Networks ?? []).Select(kv => (Network: Find(kv.Key), Endpoint: kv.Value)).FirstOrDefault(j => j.Network?.Driver == "bridge");
            if (IPAddress.TryParse(published.Endpoint?.IPAddress, out var address))
            {
                _ports.StartIpv6Relays(c.Id, address);
            }
        }
        catch (PortAllocatedException e)
        {
            _logger.LogWarning("container {Container}: {Error}", c.ShortId, e.Message);
        }
        var bridges = (c.NetworkSettings?.Networks ?? []).Keys.Select(Find).Where(n => n is { Driver: "bridge" }).ToList();
        if (bridges.Any(n => !n!.Predefined) || (bridges.Count > 0 && OnlyLoopbackNameservers(c)))
        {
            StartDns(c, path, bridges.All(n => n!.Internal));
        }
    }

    /// <summary>POST /networks/{id}/connect: recorded for the next start, and attached now when the container runs.</summary>
    public async Task ConnectAsync(string idOrName, ContainerRecord c, EndpointSettings? endpoint, bool running, Func<Task> save, CancellationToken ct)
    {
        var n = Get(idOrName);
        var settings = c.NetworkSettings ??= new NetworkSettings { Networks = [], Ports = [] };
        settings.Networks ??= [];
        if (settings.Networks.ContainsKey(n.Name))
        {
            throw new EngineException(EngineErrorKind.Forbidden, $"endpoint with name {c.Name} already exists in network {n.Name}");
        }
        if (n.Driver != "bridge" || settings.Networks.Keys.Any(k => Find(k)?.Driver is "host" or "null"))
        {
            throw new EngineException(EngineErrorKind.Forbidden, $"container sharing network namespace with another container or host cannot be connected to any other network");
        }
        var ep = Endpoint(c, n, endpoint);
        settings.Networks[n.Name] = ep;
        if (running)
        {
            var path = Path.Combine(NetnsDir, c.Id);
            var ifName = "eth" + (settings.Networks.Count - 1).ToString(CultureInfo.InvariantCulture);
            try
            {
                var r = await _driver.AttachAsync(Definition(n), c.Id, path, new AttachOptions
                {
                    InterfaceName = ifName,
                    IpAddress = ep.IPAMConfig?.IPv4Address is { Length: > 0 } ip ? IPAddress.Parse(ip) : null,
                    Aliases = ep.Aliases ?? [],
                }, ct).ConfigureAwait(false);
                ep.IPAddress = r.IpAddress.ToString();
                ep.IPPrefixLen = r.PrefixLength;
                ep.Gateway = r.Gateway?.ToString() ?? "";
                ep.MacAddress = r.MacAddress ?? "";
                ep.EndpointID = NewId();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or Quai.Network.Cni.CniException)
            {
                settings.Networks.Remove(n.Name);
                throw new EngineException(EngineErrorKind.Internal, $"failed to connect {c.Name} to network {n.Name}: {e.Message}", e);
            }
            if (!n.Predefined && !_dns.ContainsKey(c.Id))
            {
                StartDns(c, path, n.Internal);
            }
        }
        await save().ConfigureAwait(false);
        _events.Publish("network", "connect", n.Id, new Dictionary<string, string> { ["container"] = c.Id, ["name"] = n.Name, ["type"] = "bridge" });
    }

    /// <summary>POST /networks/{id}/disconnect.</summary>
    public async Task DisconnectAsync(string idOrName, ContainerRecord c, bool running, Func<Task> save, CancellationToken ct)
    {
        var n = Get(idOrName);
        var networks = c.NetworkSettings?.Networks;
        if (networks is null || !networks.ContainsKey(n.Name))
        {
            throw new EngineException(EngineErrorKind.Forbidden, $"container {c.Id} is not connected to network {n.Name}");
        }
        if (running && n.Driver == "bridge")
        {
            var index = networks.Keys.ToList().IndexOf(n.Name);
            await _driver.DetachAsync(Definition(n), c.Id, Path.Combine(NetnsDir, c.Id), "eth" + index.ToString(CultureInfo.InvariantCulture), ct).ConfigureAwait(false);
        }
        networks.Remove(n.Name);
        await save().ConfigureAwait(false);
        _events.Publish("network", "disconnect", n.Id, new Dictionary<string, string> { ["container"] = c.Id, ["name"] = n.Name, ["type"] = "bridge" });
    }
}
