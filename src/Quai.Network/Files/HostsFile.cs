using System.Net;
using System.Text;

namespace Quai.Network.Files;

/// <summary>One /etc/hosts line: address and names ("host1 host2").</summary>
public sealed record HostsEntry(string Address, string Names);

/// <summary>
/// A container's /etc/hosts as docker 20.10 writes it (moby libnetwork/etchosts): the localhost
/// and IPv6 lines, the <c>--add-host</c> entries, then the container's own
/// "&lt;ip&gt;\t&lt;hostname&gt;" line added when it joins its network.
/// </summary>
public static class HostsFile
{
    /// <summary>The lines every container gets, in docker's order.</summary>
    public static readonly IReadOnlyList<HostsEntry> DefaultEntries =
    [
        new("127.0.0.1", "localhost"),
        new("::1", "localhost ip6-localhost ip6-loopback"),
        new("fe00::0", "ip6-localnet"),
        new("ff00::0", "ip6-mcastprefix"),
        new("ff02::1", "ip6-allnodes"),
        new("ff02::2", "ip6-allrouters"),
    ];

    /// <summary>
    /// The file's content. <paramref name="containerAddress"/> null (no network, or host
    /// networking's own copy) leaves out the container's line. <paramref name="includeIpv6"/>
    /// false drops the IPv6 lines (docker 25+ on IPv6-less containers).
    /// </summary>
    public static string Build(string hostname, string? domainname, IPAddress? containerAddress, IEnumerable<HostsEntry>? extraHosts = null, bool includeIpv6 = true)
    {
        ArgumentNullException.ThrowIfNull(hostname);
        var content = new StringBuilder();
        foreach (var entry in DefaultEntries)
        {
            if (includeIpv6 || !entry.Address.Contains(':', StringComparison.Ordinal))
            {
                Append(content, entry);
            }
        }
        foreach (var entry in extraHosts ?? [])
        {
            Append(content, entry);
        }
        if (containerAddress is not null)
        {
            Append(content, new HostsEntry(containerAddress.ToString(), OwnNames(hostname, domainname)));
        }
        return content.ToString();
    }

    /// <summary>
    /// The container's names: "fqdn short" when the hostname (with the domain name, if any) has
    /// a dot, else just the hostname (etchosts / sandbox updateHostsFile).
    /// </summary>
    public static string OwnNames(string hostname, string? domainname)
    {
        var fqdn = string.IsNullOrEmpty(domainname) ? hostname : $"{hostname}.{domainname}";
        var dot = fqdn.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 ? $"{fqdn} {fqdn[..dot]}" : fqdn;
    }

    /// <summary>
    /// Parses <c>--add-host</c> values "name:ip" (the address may be IPv6; "host-gateway" becomes
    /// <paramref name="hostGateway"/>) into entries; throws with docker's message when invalid.
    /// </summary>
    public static IReadOnlyList<HostsEntry> ParseExtraHosts(IEnumerable<string> values, IPAddress? hostGateway)
    {
        ArgumentNullException.ThrowIfNull(values);
        var result = new List<HostsEntry>();
        foreach (var value in values)
        {
            // docker accepts "name:ip" and, since 23.0, "name=ip"; the name never contains ':'.
            var separator = value.IndexOfAny([':', '=']);
            if (separator <= 0)
            {
                throw new FormatException($"bad format for add-host: \"{value}\"");
            }
            var name = value[..separator].Trim();
            var address = value[(separator + 1)..].Trim().Trim('[', ']');
            if (address == "host-gateway")
            {
                address = hostGateway?.ToString() ?? throw new FormatException($"add-host {value}: no gateway is known for host-gateway on this network");
            }
            else if (!Internal.IpText.TryParse(address, out _))
            {
                throw new FormatException($"invalid IP address in add-host: \"{address}\"");
            }
            if (name.Length == 0)
            {
                throw new FormatException($"bad format for add-host: \"{value}\"");
            }
            result.Add(new HostsEntry(address, name));
        }
        return result;
    }

    /// <summary>The /etc/hostname content: the hostname and a newline.</summary>
    public static string BuildHostname(string hostname) => hostname + "\n";

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> through a temporary file and rename (mode 0644).</summary>
    public static void WriteAtomically(string path, string content)
    {
        var temporary = $"{path}.tmp-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}";
        try
        {
            File.WriteAllText(temporary, content, new UTF8Encoding(false));
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Rewrites a file that may already be bind-mounted into a container in place (same inode: a
    /// rename would leave the container looking at the old file), as docker's etchosts.Add does.
    /// Not fsynced: the file is written anew at every start.
    /// </summary>
    public static void WriteInPlace(string path, string content)
    {
        using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
        var bytes = new UTF8Encoding(false).GetBytes(content);
        stream.Write(bytes);
        stream.SetLength(bytes.Length);
    }

    private static void Append(StringBuilder content, HostsEntry entry) =>
        content.Append(entry.Address).Append('\t').Append(entry.Names).Append('\n');
}
