using System.Globalization;
using System.Net;

namespace Quai.Network.Ports;

/// <summary>
/// docker's <c>-p</c>/<c>--publish</c> syntax, <c>[ip:][hostPort:]containerPort[/proto]</c> with
/// ranges (<c>8000-8001:80-81</c>), bracketed IPv6 (<c>[::1]:80:80</c>) and ephemeral host ports
/// (<c>-p 80</c>, <c>-p 127.0.0.1::80</c>); and the API's PortBindings map built from it
/// (moby's go-connections nat.ParsePortSpec, same error texts).
/// </summary>
public static class PortSpecParser
{
    /// <summary>Parses one <c>-p</c> value into one publication per container port.</summary>
    public static IReadOnlyList<PublishedPort> Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var (rawIp, hostPort, containerPart) = SplitParts(spec.Trim());
        var protocol = "tcp";
        var slash = containerPart.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            protocol = containerPart[(slash + 1)..].ToLowerInvariant();
            containerPart = containerPart[..slash];
        }
        if (protocol is not ("tcp" or "udp" or "sctp"))
        {
            throw new FormatException($"invalid proto: {protocol}");
        }
        var ip = rawIp;
        if (ip.StartsWith('[') && ip.EndsWith(']'))
        {
            ip = ip[1..^1];
        }
        if (ip.Length > 0 && !Internal.IpText.TryParse(ip, out _))
        {
            throw new FormatException($"invalid IP address: {rawIp}");
        }
        if (ip is "0.0.0.0")
        {
            ip = "";
        }
        if (containerPart.Length == 0)
        {
            throw new FormatException($"no port specified: {spec}<empty>");
        }
        if (!TryParseRange(containerPart, out var start, out var end))
        {
            throw new FormatException($"invalid containerPort: {containerPart}");
        }
        int hostStart = 0, hostEnd = 0;
        if (hostPort.Length > 0 && !TryParseRange(hostPort, out hostStart, out hostEnd))
        {
            throw new FormatException($"invalid hostPort: {hostPort}");
        }
        if (hostPort.Length > 0 && end - start != hostEnd - hostStart && end != start)
        {
            throw new FormatException($"invalid ranges specified for container and host Ports: {containerPart} and {hostPort}");
        }
        var result = new List<PublishedPort>();
        for (var i = 0; i <= end - start; i++)
        {
            if (hostPort.Length == 0)
            {
                result.Add(new PublishedPort(start + i, protocol, ip, 0, 0));
            }
            else if (start == end && hostStart != hostEnd)
            {
                // One container port and a host range: the range is where to pick the host port.
                result.Add(new PublishedPort(start, protocol, ip, hostStart, hostEnd));
            }
            else
            {
                result.Add(new PublishedPort(start + i, protocol, ip, hostStart + i, hostStart + i));
            }
        }
        return result;
    }

    /// <summary>Parses several <c>-p</c> values.</summary>
    public static IReadOnlyList<PublishedPort> ParseAll(IEnumerable<string> specs) => specs.SelectMany(Parse).ToList();

    /// <summary>The API's HostConfig.PortBindings map, e.g. <c>{"80/tcp":[{"HostIp":"","HostPort":"8080"}]}</c>.</summary>
    public static Dictionary<string, List<PortBinding>> ToPortBindings(IEnumerable<PublishedPort> ports)
    {
        var map = new Dictionary<string, List<PortBinding>>(StringComparer.Ordinal);
        foreach (var port in ports)
        {
            if (!map.TryGetValue(port.PortKey, out var list))
            {
                map[port.PortKey] = list = [];
            }
            list.Add(new PortBinding(port.HostIp, port.HostPortText));
        }
        return map;
    }

    /// <summary>Publications from the API's PortBindings map ("80/tcp" or "80" keys; empty HostPort = ephemeral).</summary>
    public static IReadOnlyList<PublishedPort> FromPortBindings(IReadOnlyDictionary<string, IReadOnlyList<PortBinding>?> bindings)
    {
        ArgumentNullException.ThrowIfNull(bindings);
        var result = new List<PublishedPort>();
        foreach (var (key, list) in bindings.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            var portText = slash < 0 ? key : key[..slash];
            var protocol = slash < 0 ? "tcp" : key[(slash + 1)..].ToLowerInvariant();
            if (protocol is not ("tcp" or "udp" or "sctp"))
            {
                throw new FormatException($"invalid proto: {protocol}");
            }
            if (!TryParseRange(portText, out var port, out var portEnd) || port != portEnd)
            {
                throw new FormatException($"invalid containerPort: {portText}");
            }
            foreach (var binding in list is null || list.Count == 0 ? [new PortBinding("", "")] : list)
            {
                var ip = binding.HostIp ?? "";
                if (ip.Length > 0 && !Internal.IpText.TryParse(ip.Trim('[', ']'), out _))
                {
                    throw new FormatException($"invalid IP address: {ip}");
                }
                ip = ip is "0.0.0.0" ? "" : ip.Trim('[', ']');
                int start = 0, end = 0;
                if (!string.IsNullOrEmpty(binding.HostPort) && !TryParseRange(binding.HostPort, out start, out end))
                {
                    throw new FormatException($"invalid hostPort: {binding.HostPort}");
                }
                result.Add(new PublishedPort(port, protocol, ip, start, end));
            }
        }
        return result;
    }

    private static (string Ip, string HostPort, string ContainerPort) SplitParts(string spec)
    {
        // [v6]:host:container — brackets keep the address's colons out of the split.
        if (spec.StartsWith('['))
        {
            var close = spec.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= spec.Length || spec[close + 1] != ':')
            {
                throw new FormatException($"invalid IP address: {spec}");
            }
            var rest = spec[(close + 2)..].Split(':');
            return rest.Length == 2 ? (spec[..(close + 1)], rest[0], rest[1]) : throw new FormatException($"invalid port specification: \"{spec}\"");
        }
        var parts = spec.Split(':');
        return parts.Length switch
        {
            1 => ("", "", parts[0]),
            2 => ("", parts[0], parts[1]),
            3 => (parts[0], parts[1], parts[2]),
            // An unbracketed IPv6 address: everything before the last two fields.
            _ => (string.Join(':', parts[..^2]), parts[^2], parts[^1]),
        };
    }

    private static bool TryParseRange(string text, out int start, out int end)
    {
        start = end = 0;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var first = dash < 0 ? text : text[..dash];
        var last = dash < 0 ? text : text[(dash + 1)..];
        if (!int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out start)
            || !int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out end))
        {
            return false;
        }
        return start is >= 1 and <= 65535 && end is >= 1 and <= 65535 && end >= start;
    }
}
