using System.Net;
using Quai.Network.Files;

namespace Quai.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// Joins the container to its networks (a named netns attached through CNI, or the host's, or
    /// another container's) and writes /etc/hosts, /etc/resolv.conf and /etc/hostname as docker
    /// does. Returns the netns path for config.json (null: host network).
    /// </summary>
    private async Task<(string? Path, bool Host)> AttachNetworkAsync(ContainerRecord c, CancellationToken ct)
    {
        var mode = c.HostConfig.NetworkMode ?? "bridge";
        var hostname = c.Config.Hostname ?? c.ShortId;
        HostsFile.WriteAtomically(c.HostnamePath, HostsFile.BuildHostname(hostname));
        if (mode == "host")
        {
            HostsFile.WriteAtomically(c.HostsPath, File.Exists("/etc/hosts") ? await File.ReadAllTextAsync("/etc/hosts", ct).ConfigureAwait(false) : HostsFile.Build(hostname, c.Config.Domainname, null));
            HostsFile.WriteAtomically(c.ResolvConfPath, ResolvConf.ReadHost());
            return (null, true);
        }
        if (mode.StartsWith("container:", StringComparison.Ordinal))
        {
            var other = _store.Get(mode["container:".Length..]);
            if (!IsRunning(other))
            {
                throw EngineException.Conflict($"cannot join network namespace of a non running container: container {other.Id} is not running");
            }
            // docker shares the other container's hostname, hosts and resolv.conf too (moby
            // daemon/container_operations.go initializeNetworking: Config.Hostname = nc.Config.Hostname).
            c.Config.Hostname = other.Config.Hostname;
            c.Config.Domainname = other.Config.Domainname;
            HostsFile.WriteAtomically(c.HostnamePath, HostsFile.BuildHostname(other.Config.Hostname ?? other.ShortId));
            File.Copy(other.HostsPath, c.HostsPath, overwrite: true);
            File.Copy(other.ResolvConfPath, c.ResolvConfPath, overwrite: true);
            return ($"/proc/{other.State.Pid}/ns/net", false);
        }

        var (path, address, gateway, embedded) = await _networks.AttachAsync(c, ct).ConfigureAwait(false);
        try
        {
            IReadOnlyList<HostsEntry> extra;
            try
            {
                // host-gateway is the default bridge's address on the host, whatever the container's
                // network (moby daemon/container_operations.go: HostGatewayIP defaults to the bridge's).
                extra = HostsFile.ParseExtraHosts(c.HostConfig.ExtraHosts ?? [], HostGateway() ?? gateway);
            }
            catch (FormatException e)
            {
                throw EngineException.Invalid(e.Message);
            }
            HostsFile.WriteAtomically(c.HostsPath, HostsFile.Build(hostname, c.Config.Domainname, address, extra));
            var overrides = new DnsOverrides
            {
                Nameservers = c.HostConfig.Dns is { Count: > 0 } dns ? dns : _options.Dns,
                Search = c.HostConfig.DnsSearch ?? [],
                Options = c.HostConfig.DnsOptions ?? [],
            };
            HostsFile.WriteAtomically(c.ResolvConfPath, ResolvConf.ForContainer(ResolvConf.ReadHost(), embedded, overrides).Content);
        }
        catch
        {
            await _networks.DetachAsync(c).ConfigureAwait(false);
            throw;
        }
        return (path, false);
    }

    /// <summary>host-gateway for --add-host on a container without a bridge: the default bridge's gateway.</summary>
    private IPAddress? HostGateway() =>
        _networks.Find("bridge") is { Gateway: { } g } ? IPAddress.Parse(g) : null;

    /// <summary>Releases the container's network attachments (exit, failed start).</summary>
    private Task ReleaseNetworkAsync(ContainerRecord c) => _networks.DetachAsync(c);

    /// <summary>POST /networks/{id}/connect for a container (attached now when it runs).</summary>
    public async Task ConnectNetworkAsync(string network, string nameOrId, Quai.Api.Models.EndpointSettings? endpoint, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        using (await LockAsync(c.Id, ct).ConfigureAwait(false))
        {
            await _networks.ConnectAsync(network, c, endpoint, IsRunning(c), () => { _store.Save(c); return Task.CompletedTask; }, ct).ConfigureAwait(false);
        }
    }

    /// <summary>POST /networks/{id}/disconnect.</summary>
    public async Task DisconnectNetworkAsync(string network, string nameOrId, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        using (await LockAsync(c.Id, ct).ConfigureAwait(false))
        {
            await _networks.DisconnectAsync(network, c, IsRunning(c), () => { _store.Save(c); return Task.CompletedTask; }, ct).ConfigureAwait(false);
        }
    }
}
