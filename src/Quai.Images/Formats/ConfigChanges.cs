using System.Text.Json;
using Quai.Oci.Image;

namespace Quai.Images.Formats;

/// <summary>
/// Applies docker's <c>--change</c> instructions (docker import/commit) to an image config: the
/// Dockerfile instructions CMD, ENTRYPOINT, ENV, WORKDIR, USER, EXPOSE, LABEL, VOLUME, STOPSIGNAL
/// (Dockerfile reference; JSON form for exec-style lists, shell form wrapped in /bin/sh -c).
/// </summary>
public static class ConfigChanges
{
    /// <summary>Applies every change in order; throws InvalidArgument naming an unsupported or malformed one.</summary>
    public static void Apply(ContainerConfig config, IEnumerable<string> changes)
    {
        foreach (var change in changes)
        {
            var trimmed = change.Trim();
            var space = trimmed.IndexOfAny([' ', '\t']);
            var instruction = (space < 0 ? trimmed : trimmed[..space]).ToUpperInvariant();
            var args = space < 0 ? "" : trimmed[(space + 1)..].Trim();
            if (args.Length == 0)
            {
                throw Bad(change, $"{instruction} needs an argument");
            }
            switch (instruction)
            {
                case "CMD":
                    config.Cmd = Command(args, change);
                    break;
                case "ENTRYPOINT":
                    config.Entrypoint = Command(args, change);
                    break;
                case "ENV":
                    foreach (var (key, value) in KeyValues(args, change))
                    {
                        config.Env ??= [];
                        config.Env.RemoveAll(e => e.StartsWith(key + "=", StringComparison.Ordinal));
                        config.Env.Add(key + "=" + value);
                    }
                    break;
                case "LABEL":
                    foreach (var (key, value) in KeyValues(args, change))
                    {
                        (config.Labels ??= [])[key] = value;
                    }
                    break;
                case "WORKDIR":
                    config.WorkingDir = args;
                    break;
                case "USER":
                    config.User = args;
                    break;
                case "STOPSIGNAL":
                    config.StopSignal = args;
                    break;
                case "EXPOSE":
                    foreach (var port in args.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        var key = port.Contains('/', StringComparison.Ordinal) ? port.ToLowerInvariant() : port + "/tcp";
                        if (!int.TryParse(key.AsSpan(0, key.IndexOf('/', StringComparison.Ordinal)), out var n) || n is < 1 or > 65535)
                        {
                            throw Bad(change, $"invalid port \"{port}\"");
                        }
                        (config.ExposedPorts ??= [])[key] = new EmptyObject();
                    }
                    break;
                case "VOLUME":
                    foreach (var volume in args.StartsWith('[') ? JsonList(args, change) : [.. args.Split(' ', StringSplitOptions.RemoveEmptyEntries)])
                    {
                        (config.Volumes ??= [])[volume] = new EmptyObject();
                    }
                    break;
                default:
                    throw Bad(change, $"{instruction} is not supported by --change (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR are)");
            }
        }
    }

    private static List<string> Command(string args, string change) =>
        args.StartsWith('[') ? JsonList(args, change) : ["/bin/sh", "-c", args];

    private static List<string> JsonList(string args, string change)
    {
        try
        {
            return JsonSerializer.Deserialize(args, ChangesJsonContext.Default.ListString) ?? throw Bad(change, "empty list");
        }
        catch (JsonException)
        {
            throw Bad(change, "not a JSON array of strings");
        }
    }

    /// <summary>"k=v k2=\"v 2\"" or the legacy single "k v" form.</summary>
    private static List<(string Key, string Value)> KeyValues(string args, string change)
    {
        var result = new List<(string, string)>();
        var first = args.IndexOfAny([' ', '=']);
        if (first > 0 && args[first] == ' ')
        {
            result.Add((args[..first], args[(first + 1)..].Trim()));
            return result;
        }
        var i = 0;
        while (i < args.Length)
        {
            while (i < args.Length && args[i] == ' ')
            {
                i++;
            }
            if (i >= args.Length)
            {
                break;
            }
            var eq = args.IndexOf('=', i);
            if (eq <= i)
            {
                throw Bad(change, "expected key=value");
            }
            var key = args[i..eq];
            i = eq + 1;
            var value = new System.Text.StringBuilder();
            var quote = '\0';
            for (; i < args.Length && (quote != '\0' || args[i] != ' '); i++)
            {
                var c = args[i];
                if (quote == '\0' && c is '"' or '\'')
                {
                    quote = c;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }
                else if (c == '\\' && i + 1 < args.Length && quote != '\'')
                {
                    value.Append(args[++i]);
                }
                else
                {
                    value.Append(c);
                }
            }
            result.Add((key, value.ToString()));
        }
        return result;
    }

    private static ImageException Bad(string change, string why) =>
        new(ImageErrorKind.InvalidArgument, $"invalid --change \"{change}\": {why}");
}
