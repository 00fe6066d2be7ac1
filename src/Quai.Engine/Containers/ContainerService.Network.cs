using System.Net;
using Quai.Network.Files;

namespace Quai.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// The container's network at start, in two halves. The first, here, is quick and comes before
    /// the runtime's create: the netns (a named one, the host's, or another container's) and
    /// /etc/hostname, /etc/hosts and /etc/resolv.conf as docker writes them, which config.json
    /// binds in. The second, <see cref="NetworkSetup.ConnectAsync"/>, is the CNI ADD of each
    /// bridge network: it runs beside the runtime's create (nothing in the container runs until
    /// start) and then writes the container's own address into /etc/hosts in place.
    /// </summary>
    private NetworkSetup PrepareNetwork(ContainerRecord c)
    {
        var mode = c.HostConfig.NetworkMode ?? "bridge";
        var hostname = c.Config.Hostname ?? c.ShortId;
        HostsFile.WriteAtomically(c.HostnamePath, HostsFile.BuildHostname(hostname));
        if (mode == "host")
        {
            HostsFile.WriteAtomically(c.HostsPath, File.Exists("/etc/hosts") ? File.ReadAllText("/etc/hosts") : HostsFile.Build(hostname, c.Config.Domainname, null));
            HostsFile.WriteAtomically(c.ResolvConfPath, ResolvConf.ReadHost());
            return new NetworkSetup(null, true, null);
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
            return new NetworkSetup($"/proc/{other.State.Pid}/ns/net", false, null);
        }

        if (_networks.CreateSandbox(c) is not var (path, embedded))
        {
            return new NetworkSetup(null, true, null);
        }
        IReadOnlyList<HostsEntry> extra;
        var gatewayKnown = HostGateway() is not null;
        try
        {
            // host-gateway is the default bridge's address on the host, whatever the container's
            // network (moby daemon/container_operations.go: HostGatewayIP defaults to the bridge's).
            // Without a default bridge it is the container's own gateway, known after the ADD:
            // parsed again there.
            extra = HostsFile.ParseExtraHosts(c.HostConfig.ExtraHosts ?? [], HostGateway() ?? IPAddress.None);
            var overrides = new DnsOverrides
            {
                Nameservers = c.HostConfig.Dns is { Count: > 0 } dns ? dns : _options.Dns,
                Search = c.HostConfig.DnsSearch ?? [],
                Options = c.HostConfig.DnsOptions ?? [],
            };
            HostsFile.WriteAtomically(c.ResolvConfPath, ResolvConf.ForContainer(ResolvConf.ReadHost(), embedded, overrides).Content);
            // Without the container's own address yet: ConnectAsync rewrites it in place.
            HostsFile.WriteAtomically(c.HostsPath, HostsFile.Build(hostname, c.Config.Domainname, null, extra));
        }
        catch (Exception e)
        {
            Quai.Network.Namespaces.NetworkNamespace.Delete(path);
            throw e is FormatException ? EngineException.Invalid(e.Message) : e;
        }
        return new NetworkSetup(path, false, async ct =>
        {
            var (address, gateway) = await _networks.ConnectSandboxAsync(c, path, embedded, ct).ConfigureAwait(false);
            try
            {
                var hosts = gatewayKnown ? extra : HostsFile.ParseExtraHosts(c.HostConfig.ExtraHosts ?? [], gateway);
                HostsFile.WriteInPlace(c.HostsPath, HostsFile.Build(hostname, c.Config.Domainname, address, hosts));
            }
            catch (Exception e)
            {
                await _networks.DetachAsync(c).ConfigureAwait(false);
                throw e is FormatException ? EngineException.Invalid(e.Message) : e;
            }
        });
    }

    /// <summary>
    /// A container's network at start: the netns path for config.json (null with the host's), and
    /// the CNI half still to run, if any (<see cref="PrepareNetwork"/>).
    /// </summary>
    private sealed record NetworkSetup(string? NetnsPath, bool Host, Func<CancellationToken, Task>? Connect)
    {
        /// <summary>Runs the CNI half; completed at once when there is none.</summary>
        public Task ConnectAsync(CancellationToken ct) => Connect is null ? Task.CompletedTask : Connect(ct);
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
