using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Quai.Cli.Api;
using Quai.Cli.Formatting;

namespace Quai.Cli.Commands;

/// <summary>Small pieces every verb uses: query strings, filters, multi-target loops, table output.</summary>
internal static class Helpers
{
    /// <summary>A query string ("?a=1&amp;b=x") from the non-null pairs.</summary>
    public static string Query(params (string Key, string? Value)[] pairs)
    {
        var parts = pairs.Where(p => p.Value is not null).Select(p => DockerClient.Esc(p.Key) + "=" + DockerClient.Esc(p.Value!)).ToList();
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    /// <summary>docker's --filter k=v list as the API's JSON map form ({"k":{"v":true}}), or null when empty.</summary>
    public static string? Filters(IReadOnlyList<string> filters, params (string Key, string Value)[] extra)
    {
        var map = new JsonObject();
        foreach (var (k, v) in filters.Select(Split).Concat(extra))
        {
            if (map[k] is not JsonObject values)
            {
                map[k] = values = [];
            }
            values[v] = true;
        }
        return map.Count == 0 ? null : GoJson.Serialize(map, escapeHtml: false);

        static (string, string) Split(string f)
        {
            var eq = f.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new CliException($"invalid argument \"{f}\" for \"-f, --filter\" flag: bad format of filter (expected name=value)", 125);
            }
            return (f[..eq], f[(eq + 1)..]);
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> for each target as docker's multi-target verbs do: errors
    /// go to stderr one per line, the rest continue, and the exit code is 1 if any failed.
    /// </summary>
    public static async Task<int> ForEachAsync(CliContext ctx, IEnumerable<string> targets, Func<string, Task> action)
    {
        var errors = new List<string>();
        foreach (var t in targets)
        {
            try
            {
                await action(t).ConfigureAwait(false);
            }
            catch (DockerApiException e)
            {
                errors.Add("Error response from daemon: " + e.Message);
            }
            catch (CliException e)
            {
                errors.Add(e.Message);
            }
        }
        if (errors.Count > 0)
        {
            await ctx.Err.WriteLineAsync(string.Join('\n', errors)).ConfigureAwait(false);
            return 1;
        }
        return 0;
    }

    /// <summary>
    /// Prints rows with a docker `--format`: "table ..." gives a header plus tabwriter columns,
    /// anything else one template run per row, and "json" is `{{json .}}`.
    /// </summary>
    public static void PrintRows(CliContext ctx, string format, IEnumerable<JsonObject> rows, IReadOnlyDictionary<string, string> headers)
    {
        if (format == "json")
        {
            format = "{{json .}}";
        }
        var isTable = format.StartsWith("table", StringComparison.Ordinal);
        var body = isTable ? format["table".Length..].TrimStart() : format;
        if (isTable && body.Length == 0)
        {
            body = "{{json .}}";
        }
        // Go templates take "\t" literally; docker also turns the two characters \t into a tab.
        body = body.Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal);
        var template = GoTemplate.Parse(body).ForListRows();
        var sb = new StringBuilder();
        if (isTable)
        {
            var header = new JsonObject();
            foreach (var (k, v) in headers)
            {
                header[k] = v;
            }
            foreach (var k in Fields(body).Where(k => !headers.ContainsKey(k)))
            {
                header[k] = Upper(k);
            }
            sb.Append(template.Execute(header)).Append('\n');
        }
        foreach (var row in rows)
        {
            sb.Append(template.Execute(row)).Append('\n');
        }
        if (isTable)
        {
            var tw = new TabWriter();
            tw.Write(sb.ToString());
            ctx.Out.Write(tw.Flush());
        }
        else
        {
            ctx.Out.Write(sb.ToString());
        }
    }

    private static IEnumerable<string> Fields(string template)
    {
        for (var i = template.IndexOf("{{", StringComparison.Ordinal); i >= 0; i = template.IndexOf("{{", i + 2, StringComparison.Ordinal))
        {
            var j = i + 2;
            while (j < template.Length && template[j] == ' ')
            {
                j++;
            }
            if (j < template.Length && template[j] == '.')
            {
                var k = j + 1;
                while (k < template.Length && (char.IsLetterOrDigit(template[k]) || template[k] == '_'))
                {
                    k++;
                }
                if (k > j + 1)
                {
                    yield return template[(j + 1)..k];
                }
            }
        }
    }

    // docker's header for a field it does not name: the field in upper case, words split at capitals.
    private static string Upper(string field)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < field.Length; i++)
        {
            if (i > 0 && char.IsUpper(field[i]) && char.IsLower(field[i - 1]))
            {
                sb.Append(' ');
            }
            sb.Append(char.ToUpperInvariant(field[i]));
        }
        return sb.ToString();
    }

    /// <summary>Strips "sha256:" and keeps 12 characters (docker's stringid.TruncateID).</summary>
    public static string ShortId(string id)
    {
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            id = id[(colon + 1)..];
        }
        return id.Length > 12 ? id[..12] : id;
    }

    /// <summary>A Unix time in seconds as a local DateTimeOffset.</summary>
    public static DateTimeOffset FromUnix(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds);

    /// <summary>"2026-11-23 18:01:40 +0000 UTC", Go's time.Time String() as docker's CreatedAt shows it.</summary>
    public static string GoTime(DateTimeOffset t)
    {
        var local = t.ToLocalTime();
        var off = local.Offset;
        var sign = off < TimeSpan.Zero ? '-' : '+';
        var zone = off == TimeSpan.Zero ? "UTC" : TimeZoneInfo.Local.StandardName;
        return local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + $" {sign}{Math.Abs(off.Hours):00}{Math.Abs(off.Minutes):00} {zone}";
    }

    /// <summary>docker's Ellipsis: at most <paramref name="max"/> runes, the last one "…" when cut.</summary>
    public static string Ellipsis(string s, int max)
    {
        var runes = s.EnumerateRunes().ToList();
        if (runes.Count <= max)
        {
            return s;
        }
        return string.Concat(runes.Take(max - 1).Select(r => r.ToString())) + "…";
    }

    /// <summary>Go's strconv.Quote for the printable strings docker shows.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder();
        GoJson.WriteString(sb, s, escapeHtml: false);
        return sb.ToString();
    }

    /// <summary>The string value of a JSON property, or "".</summary>
    public static string S(JsonNode? n, string name) => n?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    /// <summary>The integer value of a JSON property, or 0.</summary>
    public static long L(JsonNode? n, string name) => n?[name] is JsonValue v && v.TryGetValue<double>(out var d) ? (long)d : 0;

    /// <summary>Parses a Go duration ("10s", "1m30s", "500ms", "2h") into nanoseconds.</summary>
    public static long GoDurationNanos(string s)
    {
        if (s == "0")
        {
            return 0;
        }
        double total = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }
            if (start == i)
            {
                throw new CliException($"time: invalid duration \"{s}\"", 125);
            }
            var n = double.Parse(s[start..i], CultureInfo.InvariantCulture);
            var ustart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }
            total += s[ustart..i] switch
            {
                "ns" => n,
                "us" or "µs" => n * 1e3,
                "ms" => n * 1e6,
                "s" => n * 1e9,
                "m" => n * 60e9,
                "h" => n * 3600e9,
                _ => throw new CliException($"time: invalid duration \"{s}\"", 125),
            };
        }
        return (long)total;
    }

    /// <summary>Reads a docker env file: KEY=VALUE lines, # comments, bare KEY taken from the environment.</summary>
    public static IEnumerable<string> ReadEnvFile(CliContext ctx, string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"open {path}: no such file or directory", 125);
        }
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.TrimStart();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            if (line.Contains('=', StringComparison.Ordinal))
            {
                yield return line;
            }
            else if (ctx.Env(line) is { } v)
            {
                yield return line + "=" + v;
            }
        }
    }
}
