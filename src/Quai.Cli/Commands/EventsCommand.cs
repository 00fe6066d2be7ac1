using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Quai.Cli.Formatting;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`events`: GET /events streamed, one line per event as docker prints them (or `--format`).</summary>
internal static class EventsCommand
{
    public static readonly Command Definition = new("system events", "[OPTIONS]", "Get real time events from the server",
        [
            Flag.List("filter", 'f', "Filter output based on conditions provided", "filter"),
            Flag.Str("format", '\0', "Format output using a custom template"),
            Flag.Str("since", '\0', "Show all events created since timestamp"),
            Flag.Str("until", '\0', "Stream events until this timestamp"),
        ], RunAsync)
    { Aliases = ["events"], MaxArgs = 0 };

    private static async Task<int> RunAsync(CliContext ctx, ParsedArgs f)
    {
        var query = Helpers.Query(("filters", Helpers.Filters(f.List("filter"))), ("since", LogsCommand.TimeArg(f.Str("since"))), ("until", LogsCommand.TimeArg(f.Str("until"))));
        var format = f.Str("format");
        var template = format is null || format == "json" ? null : GoTemplate.Parse(format);
        using var response = await ctx.Client.SendAsync(HttpMethod.Get, "/events" + query, streaming: true).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        using var reader = new StreamReader(body, Encoding.UTF8);
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }
            var e = JsonNode.Parse(line);
            var text = format == "json" ? GoJson.Serialize(e) : template is not null ? template.Execute(e) : Line(e);
            await ctx.Out.WriteLineAsync(text).ConfigureAwait(false);
        }
        return 0;
    }

    /// <summary>"2026-11-23T18:01:40.123456789Z container start ID (image=busybox, name=t1)".</summary>
    internal static string Line(JsonNode? e)
    {
        var nanos = Helpers.L(e, "timeNano");
        var time = DateTimeOffset.FromUnixTimeMilliseconds(nanos / 1_000_000).ToLocalTime();
        var stamp = time.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) + "." + (nanos % 1_000_000_000).ToString("000000000", CultureInfo.InvariantCulture)
            + (time.Offset == TimeSpan.Zero ? "Z" : time.ToString("zzz", CultureInfo.InvariantCulture));
        var actor = e?["Actor"];
        var attrs = actor?["Attributes"] as JsonObject ?? [];
        var sb = new StringBuilder();
        sb.Append(stamp).Append(' ').Append(Helpers.S(e, "Type")).Append(' ').Append(Helpers.S(e, "Action")).Append(' ').Append(Helpers.S(actor, "ID"));
        if (attrs.Count > 0)
        {
            sb.Append(" (").Append(string.Join(", ", attrs.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value))).Append(')');
        }
        return sb.ToString();
    }
}
