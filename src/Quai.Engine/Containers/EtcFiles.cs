using System.Text;

namespace Quai.Engine.Containers;

/// <summary>
/// The /etc/hostname, /etc/hosts and /etc/resolv.conf a container gets, written as docker writes
/// them (moby libnetwork/etchosts and resolvconf) into the container's directory and bind-mounted.
/// </summary>
internal static class EtcFiles
{
    private const string DefaultHosts =
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";

    public static async Task WriteAsync(ContainerRecord c, EngineOptions options, CancellationToken ct, string? address = null, IEnumerable<(string Host, string Ip)>? extra = null, IReadOnlyList<string>? nameservers = null)
    {
        var hostname = c.Config.Hostname ?? c.ShortId;
        await File.WriteAllTextAsync(c.HostnamePath, hostname + "\n", ct).ConfigureAwait(false);

        var hostNetwork = c.HostConfig.NetworkMode == "host";
        var hosts = new StringBuilder(hostNetwork && File.Exists("/etc/hosts") ? await File.ReadAllTextAsync("/etc/hosts", ct).ConfigureAwait(false) : DefaultHosts);
        foreach (var entry in c.HostConfig.ExtraHosts ?? [])
        {
            // "name:ip" (and "name=ip" since API 1.44); host-gateway is resolved by the network layer.
            var sep = entry.IndexOfAny([':', '=']);
            if (sep <= 0)
            {
                throw EngineException.Invalid($"invalid argument \"{entry}\" for \"--add-host\" flag: bad format for add-host: \"{entry}\"");
            }
            hosts.Append(entry[(sep + 1)..]).Append('\t').Append(entry[..sep]).Append('\n');
        }
        foreach (var (host, ip) in extra ?? [])
        {
            hosts.Append(ip).Append('\t').Append(host).Append('\n');
        }
        if (!hostNetwork && address is not null)
        {
            var names = string.IsNullOrEmpty(c.Config.Domainname) ? hostname : hostname + "." + c.Config.Domainname + " " + hostname;
            hosts.Append(address).Append('\t').Append(names).Append('\n');
        }
        await File.WriteAllTextAsync(c.HostsPath, hosts.ToString(), ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(c.ResolvConfPath, ResolvConf(c, options, nameservers), ct).ConfigureAwait(false);
    }

    /// <summary>resolv.conf: --dns/--dns-search/--dns-option over the host's, without loopback nameservers.</summary>
    public static string ResolvConf(ContainerRecord c, EngineOptions options, IReadOnlyList<string>? nameservers)
    {
        var host = File.Exists("/etc/resolv.conf") ? File.ReadAllLines("/etc/resolv.conf") : [];
        var servers = nameservers ?? (c.HostConfig.Dns is { Count: > 0 } dns ? dns : options.Dns.Count > 0 ? options.Dns : null);
        var hostNetwork = c.HostConfig.NetworkMode == "host";
        servers ??= [.. host.Where(l => l.StartsWith("nameserver", StringComparison.Ordinal))
            .Select(l => l.Split(' ', '\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) ?? "")
            .Where(s => s.Length > 0 && (hostNetwork || !(s.StartsWith("127.", StringComparison.Ordinal) || s == "::1")))];
        var search = c.HostConfig.DnsSearch is { Count: > 0 } ds ? ds
            : host.Where(l => l.StartsWith("search", StringComparison.Ordinal)).SelectMany(l => l.Split(' ', '\t', StringSplitOptions.RemoveEmptyEntries).Skip(1)).ToList();
        var opts = c.HostConfig.DnsOptions is { Count: > 0 } dop ? dop
            : host.Where(l => l.StartsWith("options", StringComparison.Ordinal)).SelectMany(l => l.Split(' ', '\t', StringSplitOptions.RemoveEmptyEntries).Skip(1)).ToList();
        var sb = new StringBuilder();
        foreach (var s in servers)
        {
            sb.Append("nameserver ").Append(s).Append('\n');
        }
        if (search.Count > 0 && !(search.Count == 1 && search[0] == "."))
        {
            sb.Append("search ").AppendJoin(' ', search).Append('\n');
        }
        if (opts.Count > 0)
        {
            sb.Append("options ").AppendJoin(' ', opts).Append('\n');
        }
        return sb.ToString();
    }
}
