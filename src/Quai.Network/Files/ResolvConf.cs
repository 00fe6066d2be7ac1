using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Quai.Network.Files;

/// <summary>The parts of a resolv.conf that matter: nameservers, search domains, options.</summary>
public sealed record ResolvConfData(IReadOnlyList<string> Nameservers, IReadOnlyList<string> Search, IReadOnlyList<string> Options);

/// <summary>A container's resolv.conf and the servers its embedded DNS server should forward to.</summary>
public sealed record ContainerResolvConf(string Content, IReadOnlyList<string> UpstreamNameservers);

/// <summary>The user's --dns, --dns-search and --dns-option values (empty = take the host's).</summary>
public sealed record DnsOverrides
{
    public IReadOnlyList<string> Nameservers { get; init; } = [];

    public IReadOnlyList<string> Search { get; init; } = [];

    public IReadOnlyList<string> Options { get; init; } = [];

    public bool Any => Nameservers.Count > 0 || Search.Count > 0 || Options.Count > 0;
}

/// <summary>
/// A container's /etc/resolv.conf as docker 20.10 writes it (moby libnetwork/resolvconf and
/// sandbox_dns_unix.go): the host's file minus localhost nameservers (8.8.8.8/8.8.4.4 written in
/// when none remain) on the default bridge; "nameserver 127.0.0.11" with the host's search and
/// options plus "options ndots:0" on user networks, whose real servers go to the embedded DNS.
/// </summary>
public static partial class ResolvConf
{
    /// <summary>The host's resolv.conf.</summary>
    public const string DefaultPath = "/etc/resolv.conf";

    /// <summary>systemd-resolved's list of real upstream servers, used when the host's file only names its 127.0.0.53 stub.</summary>
    public const string SystemdResolvedPath = "/run/systemd/resolve/resolv.conf";

    /// <summary>The embedded DNS server's address.</summary>
    public const string EmbeddedNameserver = "127.0.0.11";

    /// <summary>docker's fallback servers, written into the file only (defaultIPv4Dns).</summary>
    public static readonly IReadOnlyList<string> DefaultIpv4Nameservers = ["8.8.8.8", "8.8.4.4"];

    /// <summary>docker's IPv6 fallback servers (defaultIPv6Dns).</summary>
    public static readonly IReadOnlyList<string> DefaultIpv6Nameservers = ["2001:4860:4860::8888", "2001:4860:4860::8844"];

    /// <summary>Parses nameserver, search (last line wins) and options (last line wins) entries.</summary>
    public static ResolvConfData Parse(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var nameservers = new List<string>();
        IReadOnlyList<string> search = [];
        IReadOnlyList<string> options = [];
        foreach (var raw in content.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }
            var fields = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            switch (fields[0])
            {
                case "nameserver" when fields.Length > 1:
                    nameservers.Add(fields[1]);
                    break;
                case "search":
                    search = fields[1..];
                    break;
                case "options":
                    options = fields[1..];
                    break;
            }
        }
        return new ResolvConfData(nameservers, search, options);
    }

    /// <summary>
    /// The host's resolv.conf content; when it only lists systemd-resolved's 127.0.0.53 stub, the
    /// real servers' file instead (docker does the same). Empty when neither exists.
    /// </summary>
    public static string ReadHost(string path = DefaultPath, string systemdPath = SystemdResolvedPath)
    {
        var content = File.Exists(path) ? File.ReadAllText(path) : "";
        var nameservers = Parse(content).Nameservers;
        if (nameservers.Count == 1 && nameservers[0] == "127.0.0.53" && File.Exists(systemdPath))
        {
            return File.ReadAllText(systemdPath);
        }
        return content;
    }

    /// <summary>
    /// docker's FilterResolvDNS: drops localhost nameserver lines (and IPv6 ones when IPv6 is
    /// off); when no nameserver is left, appends the default public ones the way docker does.
    /// </summary>
    public static string FilterLocalhost(string content, bool ipv6Enabled = false)
    {
        ArgumentNullException.ThrowIfNull(content);
        var cleaned = LocalhostNameserver().Replace(content, "");
        if (!ipv6Enabled)
        {
            cleaned = Ipv6Nameserver().Replace(cleaned, "");
        }
        if (Parse(cleaned).Nameservers.Count == 0)
        {
            var defaults = ipv6Enabled ? DefaultIpv4Nameservers.Concat(DefaultIpv6Nameservers) : DefaultIpv4Nameservers;
            // Byte for byte as docker: a newline, then the lines, with no final newline.
            cleaned += "\n" + string.Join("\n", defaults.Select(d => "nameserver " + d));
        }
        return cleaned;
    }

    /// <summary>docker's resolvconf.Build format: "search", then "nameserver" lines, then "options".</summary>
    public static string Build(IEnumerable<string> nameservers, IEnumerable<string> search, IEnumerable<string> options)
    {
        var content = new StringBuilder();
        var searchLine = string.Join(' ', search);
        if (searchLine.Trim().Length > 0 && searchLine.Trim() != ".")
        {
            content.Append("search ").Append(searchLine).Append('\n');
        }
        foreach (var nameserver in nameservers)
        {
            content.Append("nameserver ").Append(nameserver).Append('\n');
        }
        var optionsLine = string.Join(' ', options);
        if (optionsLine.Trim().Length > 0)
        {
            content.Append("options ").Append(optionsLine).Append('\n');
        }
        return content.ToString();
    }

    /// <summary>
    /// A container's resolv.conf from the host's content. <paramref name="embeddedDns"/> true (user
    /// networks): 127.0.0.11 with the real servers returned as <see cref="ContainerResolvConf.UpstreamNameservers"/>
    /// for the embedded server; false (default bridge): the filtered host servers directly.
    /// </summary>
    public static ContainerResolvConf ForContainer(string hostContent, bool embeddedDns, DnsOverrides? overrides = null, bool ipv6Enabled = false)
    {
        ArgumentNullException.ThrowIfNull(hostContent);
        overrides ??= new DnsOverrides();
        var host = Parse(hostContent);
        var content = overrides.Any
            ? Build(
                overrides.Nameservers.Count > 0 ? overrides.Nameservers : host.Nameservers,
                overrides.Search.Count > 0 ? overrides.Search : host.Search,
                overrides.Options.Count > 0 ? overrides.Options : host.Options)
            : FilterLocalhost(hostContent, ipv6Enabled);
        var parsed = Parse(content);
        if (!embeddedDns)
        {
            return new ContainerResolvConf(content, parsed.Nameservers);
        }
        // sandbox rebuildDNS: IPv4 servers move behind the embedded server; IPv6 ones stay listed
        // (the embedded server cannot reach them for the container); ndots:0 unless the user set ndots.
        var ipv6Servers = parsed.Nameservers.Where(IsIpv6).ToList();
        var options = parsed.Options.ToList();
        if (!options.Any(o => o.StartsWith("ndots", StringComparison.Ordinal)))
        {
            options.Add("ndots:0");
        }
        var final = Build([EmbeddedNameserver, .. ipv6Servers], parsed.Search, options);
        return new ContainerResolvConf(final, parsed.Nameservers.Where(n => !IsIpv6(n)).ToList());
    }

    /// <summary>Upstream endpoints (port 53) for the embedded DNS server from nameserver strings.</summary>
    public static IReadOnlyList<IPEndPoint> ToEndpoints(IEnumerable<string> nameservers) =>
        nameservers.Select(n => IPAddress.TryParse(n, out var a) ? new IPEndPoint(a, 53) : null).OfType<IPEndPoint>().ToList();

    private static bool IsIpv6(string address) =>
        IPAddress.TryParse(address.Split('%')[0], out var a) && a.AddressFamily == AddressFamily.InterNetworkV6;

    [GeneratedRegex(@"(?m)^nameserver\s+((127\.([0-9]{1,3}\.){2}[0-9]{1,3})|(::1))\s*\n*")]
    private static partial Regex LocalhostNameserver();

    [GeneratedRegex(@"(?m)^\s*nameserver\s*([0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]*(%\w+)?)\s*\n*")]
    private static partial Regex Ipv6Nameserver();
}
