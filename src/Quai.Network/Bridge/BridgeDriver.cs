using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Quai.Network.Cni;
using Quai.Network.Internal;
using Quai.Network.Ipam;

namespace Quai.Network.Bridge;

/// <summary>
/// Docker-style bridge networks over the CNI bridge, host-local and portmap plugins: create/remove
/// a network (bridge link, its iptables rules in <see cref="BridgeFirewall"/>, IPAM leases) and
/// attach/detach a container's network namespace. The engine owns the records and names; this
/// owns host state.
/// </summary>
public sealed class BridgeDriver
{
    private readonly BridgeDriverOptions options;
    private readonly CniInvoker invoker;
    private readonly BridgeFirewall firewall;
    private readonly AttachmentJanitor janitor;

    /// <summary>Creates a driver keeping its state under <see cref="BridgeDriverOptions.StateDirectory"/>.</summary>
    public BridgeDriver(BridgeDriverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        invoker = new CniInvoker(options.PluginDirectories);
        firewall = new BridgeFirewall(options.ChainPrefix, options.Iptables);
        janitor = new AttachmentJanitor(options.Iptables);
    }

    /// <summary>
    /// The conflist of an attachment to a network (for inspection and for <see cref="CniNetworkList"/>
    /// users): with portmap unless <paramref name="publishesPorts"/> is false.
    /// </summary>
    public CniNetworkList GetNetworkList(BridgeNetworkDefinition definition, bool publishesPorts = true) =>
        new(BridgeNetworkConfig.Build(definition, options.IpamDirectory, publishesPorts), invoker, options.CniCacheDirectory);

    /// <summary>
    /// Sets up a network's host side: the bridge link with its gateway address, up (as
    /// <c>docker network create</c> shows it in <c>ip link</c>), and its iptables rules.
    /// Undoes what it did if a step fails.
    /// </summary>
    public async Task CreateNetworkAsync(BridgeNetworkDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        definition.Validate();
        if (LinkExists(definition.BridgeName))
        {
            throw new InvalidOperationException($"cannot create network {definition.Name}: interface {definition.BridgeName} already exists on the host");
        }
        try
        {
            await IpAsync(["link", "add", "name", definition.BridgeName, "type", "bridge"], cancellationToken).ConfigureAwait(false);
            if (definition.Mtu is { } mtu)
            {
                await IpAsync(["link", "set", "dev", definition.BridgeName, "mtu", mtu.ToString(CultureInfo.InvariantCulture)], cancellationToken).ConfigureAwait(false);
            }
            var gateway = $"{definition.EffectiveGateway}/{definition.Subnet.PrefixLength.ToString(CultureInfo.InvariantCulture)}";
            await IpAsync(["addr", "add", gateway, "dev", definition.BridgeName], cancellationToken).ConfigureAwait(false);
            await IpAsync(["link", "set", "dev", definition.BridgeName, "up"], cancellationToken).ConfigureAwait(false);
            await firewall.AddAsync(definition, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await RemoveHostStateAsync(definition, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Re-creates whatever host state of an existing network is missing (after a reboot or a
    /// daemon restart): the bridge link if gone, and the iptables rules. Idempotent.
    /// </summary>
    public async Task EnsureNetworkAsync(BridgeNetworkDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        definition.Validate();
        if (!LinkExists(definition.BridgeName))
        {
            await CreateNetworkAsync(definition, cancellationToken).ConfigureAwait(false);
            return;
        }
        await firewall.AddAsync(definition, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a network's host side: its iptables rules (and chains once unused), the bridge link, its IPAM leases. Idempotent.</summary>
    public Task RemoveNetworkAsync(BridgeNetworkDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return RemoveHostStateAsync(definition, cancellationToken);
    }

    /// <summary>
    /// Attaches the network namespace at <paramref name="netnsPath"/> to the network (CNI ADD of
    /// bridge, and portmap when it publishes ports) and returns its address, gateway and MAC. On
    /// failure nothing of the attachment remains.
    /// </summary>
    public async Task<AttachResult> AttachAsync(BridgeNetworkDefinition definition, string containerId, string netnsPath, AttachOptions? attach = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        attach ??= new AttachOptions();
        if (attach.IpAddress is { } ip && !(definition.IpRange ?? definition.Subnet).Contains(ip))
        {
            throw new ArgumentException($"address {ip} for container {containerId} is not in network {definition.Name}'s {(definition.IpRange is null ? "subnet" : "ip-range")} {definition.IpRange ?? definition.Subnet}");
        }
        if (definition.Internal && attach.PortMappings.Count > 0)
        {
            // docker publishes nothing from an internal network; refuse rather than pretend.
            throw new ArgumentException($"cannot publish ports of container {containerId} on internal network {definition.Name}");
        }
        var list = GetNetworkList(definition, publishesPorts: attach.PortMappings.Count > 0);
        var result = await list.AddAsync(RuntimeConf(containerId, netnsPath, attach), cancellationToken).ConfigureAwait(false);
        try
        {
            return ToAttachResult(definition, result, attach.InterfaceName, netnsPath);
        }
        catch
        {
            await list.DelAsync(RuntimeConf(containerId, netnsPath, attach), CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Detaches a container (CNI DEL with the conflist its ADD ran): releases its address and port
    /// mappings. Idempotent; the netns may already be gone.
    /// </summary>
    public async Task DetachAsync(BridgeNetworkDefinition definition, string containerId, string netnsPath, string interfaceName = "eth0", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var list = GetNetworkList(definition);
        var runtime = new CniRuntimeConf { ContainerId = containerId, NetnsPath = netnsPath, IfName = interfaceName };
        if (list.GetCachedConflist(containerId, interfaceName) is { } conflist && !IsLegacyChain(conflist))
        {
            // Nothing of this attachment needs its netns to be found again: the veth goes with the
            // netns, the lease and portmap's chains are found by container id.
            await list.DelAsync(runtime, cancellationToken).ConfigureAwait(false);
            return;
        }
        // No cached conflist, or one from before the per-network rules (bridge ipMasq, firewall):
        // those plugins learn what to delete from the netns or the cached result, so find the
        // addresses first and clean up what they could not after.
        var addresses = AttachmentJanitor.FindLeases(Path.Combine(options.IpamDirectory, definition.Name), containerId).ToList();
        if (list.GetCachedResult(containerId, interfaceName)?.Ips is { } cachedIps)
        {
            addresses.AddRange(cachedIps.Select(ip => IPAddress.Parse(ip.Address.Split('/')[0])));
        }
        try
        {
            await list.DelAsync(runtime, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await janitor.CleanupAsync(definition.Name, containerId, addresses.Distinct().ToList(), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>True for a conflist of the per-container-rules design: the bridge plugin masquerading, or the firewall plugin.</summary>
    private static bool IsLegacyChain(string conflist)
    {
        var plugins = (JsonNode.Parse(conflist)?["plugins"] as JsonArray) ?? [];
        return plugins.Any(p => p?["type"]?.GetValue<string>() == "firewall"
            || (p?["type"]?.GetValue<string>() == "bridge" && p["ipMasq"]?.GetValue<bool>() == true));
    }

    /// <summary>The cached result of an attachment, or null.</summary>
    public CniResult? GetAttachment(BridgeNetworkDefinition definition, string containerId, string interfaceName = "eth0") =>
        GetNetworkList(definition).GetCachedResult(containerId, interfaceName);

    private static CniRuntimeConf RuntimeConf(string containerId, string netnsPath, AttachOptions attach)
    {
        var args = new List<KeyValuePair<string, string>>();
        if (attach.IpAddress is { } ip)
        {
            args.Add(new("IP", ip.ToString()));
        }
        if (attach.MacAddress is { } mac)
        {
            args.Add(new("MAC", mac));
        }
        var capabilities = new Dictionary<string, JsonNode>();
        if (attach.PortMappings.Count > 0)
        {
            // CONVENTIONS.md portMappings: [{hostPort, containerPort, protocol, hostIP}].
            var array = new JsonArray();
            foreach (var p in attach.PortMappings)
            {
                var entry = new JsonObject
                {
                    ["hostPort"] = p.HostPort,
                    ["containerPort"] = p.ContainerPort,
                    ["protocol"] = p.Protocol,
                };
                if (!string.IsNullOrEmpty(p.HostIp) && p.HostIp != "0.0.0.0")
                {
                    entry["hostIP"] = p.HostIp;
                }
                array.Add((JsonNode)entry);
            }
            capabilities["portMappings"] = array;
        }
        return new CniRuntimeConf
        {
            ContainerId = containerId,
            NetnsPath = netnsPath,
            IfName = attach.InterfaceName,
            Args = args,
            CapabilityArgs = capabilities,
        };
    }

    private static AttachResult ToAttachResult(BridgeNetworkDefinition definition, CniResult result, string interfaceName, string netnsPath)
    {
        var interfaces = result.Interfaces ?? [];
        var ipConfig = result.Ips?.FirstOrDefault(c => c.Interface is { } i && i < interfaces.Count && interfaces[i].Name == interfaceName && !string.IsNullOrEmpty(interfaces[i].Sandbox))
            ?? result.Ips?.FirstOrDefault()
            ?? throw new CniException("bridge", "ADD", 999, $"the result for network {definition.Name} has no IP address");
        var slash = ipConfig.Address.IndexOf('/', StringComparison.Ordinal);
        var address = IPAddress.Parse(slash < 0 ? ipConfig.Address : ipConfig.Address[..slash]);
        var prefix = slash < 0 ? 32 : int.Parse(ipConfig.Address.AsSpan(slash + 1), CultureInfo.InvariantCulture);
        var mac = interfaces.FirstOrDefault(i => i.Name == interfaceName && i.Sandbox == netnsPath)?.Mac
            ?? interfaces.FirstOrDefault(i => i.Name == interfaceName)?.Mac;
        var gateway = definition.Internal ? null : (ipConfig.Gateway is { } g ? IPAddress.Parse(g) : definition.EffectiveGateway);
        return new AttachResult(address, prefix, gateway, mac, interfaceName, result);
    }

    private async Task RemoveHostStateAsync(BridgeNetworkDefinition definition, CancellationToken cancellationToken)
    {
        List<Exception> failures = [];
        try
        {
            await firewall.RemoveAsync(definition.BridgeName, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            failures.Add(e);
        }
        if (LinkExists(definition.BridgeName))
        {
            try
            {
                await IpAsync(["link", "del", "dev", definition.BridgeName], cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                failures.Add(e);
            }
        }
        var leases = Path.Combine(options.IpamDirectory, definition.Name);
        if (Directory.Exists(leases))
        {
            Directory.Delete(leases, recursive: true);
        }
        if (failures.Count > 0)
        {
            throw new InvalidOperationException($"removing network {definition.Name} left host state behind: {string.Join("; ", failures.Select(f => f.Message))}", failures[0]);
        }
    }

    private static bool LinkExists(string name) => Directory.Exists(Path.Combine("/sys/class/net", name));

    private Task<string> IpAsync(string[] arguments, CancellationToken cancellationToken) =>
        CommandRunner.RunCheckedAsync(options.Ip, arguments, cancellationToken);

    /// <summary>True when <paramref name="address"/> is an IPv4 address.</summary>
    internal static bool IsIpv4(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork;
}
