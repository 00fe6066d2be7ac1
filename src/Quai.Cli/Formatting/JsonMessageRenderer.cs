using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Quai.Cli.Formatting;

/// <summary>
/// Renders the daemon's JSON message stream (pull, push, load, import) as docker's jsonmessage
/// package does: on a terminal each layer id keeps its own line, redrawn in place with ANSI
/// cursor moves and a progress bar; otherwise each status is printed once and progress-only
/// updates are dropped. An "error" message ends the stream with <see cref="JsonMessageException"/>.
/// </summary>
public sealed class JsonMessageRenderer(TextWriter output, bool isTerminal, int terminalWidth = 0)
{
    private readonly Dictionary<string, int> _lines = new(StringComparer.Ordinal);

    /// <summary>Called with "aux" payloads (push digests, load's image ids, build results).</summary>
    public Action<JsonNode>? OnAux { get; set; }

    /// <summary>Now, for the time-left estimate (tests pin it).</summary>
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>Reads newline- (or concatenation-) separated JSON objects from <paramref name="stream"/> and renders each.</summary>
    public async Task RenderAsync(Stream stream, CancellationToken ct = default)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }
            Render(JsonNode.Parse(line)!);
        }
        await output.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Renders one message (DisplayJSONMessagesStream's loop body).</summary>
    public void Render(JsonNode message)
    {
        if (message["aux"] is { } aux)
        {
            OnAux?.Invoke(aux);
            return;
        }
        var id = message["id"]?.GetValue<string>() ?? "";
        var hasProgress = message["progressDetail"] is not null;
        var progressMessage = message["progress"]?.GetValue<string>() ?? "";
        var diff = 0;
        if (id.Length > 0 && (hasProgress || progressMessage.Length > 0))
        {
            if (!_lines.TryGetValue(id, out var line))
            {
                line = _lines.Count;
                _lines[id] = line;
                if (isTerminal)
                {
                    output.Write('\n');
                }
            }
            diff = _lines.Count - line;
            if (isTerminal && diff > 0)
            {
                output.Write($"\u001b[{diff}A");
            }
        }
        else
        {
            // A message without an id ends the previous block of per-layer lines (pull -a's next tag).
            _lines.Clear();
        }
        Display(message, hasProgress, progressMessage);
        if (id.Length > 0 && isTerminal && diff > 0)
        {
            output.Write($"\u001b[{diff}B");
        }
    }

    private void Display(JsonNode m, bool hasProgress, string progressMessage)
    {
        if (m["errorDetail"]?["message"]?.GetValue<string>() is { } detail)
        {
            throw new JsonMessageException(detail);
        }
        if (m["error"]?.GetValue<string>() is { } error)
        {
            throw new JsonMessageException(error);
        }
        var stream = m["stream"]?.GetValue<string>() ?? "";
        var status = m["status"]?.GetValue<string>() ?? "";
        var bar = hasProgress ? ProgressString(m["progressDetail"]!) : "";
        var endl = "";
        if (isTerminal && stream.Length == 0 && hasProgress)
        {
            output.Write("\r\u001b[2K");
            endl = "\r";
            output.Write(endl);
        }
        else if (hasProgress && bar.Length > 0)
        {
            return; // no progress bars off a terminal
        }
        if (m["id"]?.GetValue<string>() is { Length: > 0 } id)
        {
            output.Write(id + ": ");
        }
        if (m["from"]?.GetValue<string>() is { Length: > 0 } from)
        {
            output.Write($"(from {from}) ");
        }
        if (hasProgress && isTerminal)
        {
            output.Write($"{status} {bar}{endl}");
        }
        else if (progressMessage.Length > 0)
        {
            output.Write($"{status} {progressMessage}{endl}");
        }
        else if (stream.Length > 0)
        {
            output.Write(stream + endl);
        }
        else
        {
            output.Write(status + endl + "\n");
        }
    }

    /// <summary>jsonmessage.JSONProgress.String: "[=====>     ]  1.2MB/3.4MB 2s".</summary>
    public string ProgressString(JsonNode detail)
    {
        var current = Long(detail["current"]);
        var total = Long(detail["total"]);
        var start = Long(detail["start"]);
        var units = detail["units"]?.GetValue<string>() ?? "";
        var hideCounts = detail["hidecounts"]?.GetValue<bool>() ?? false;
        var width = terminalWidth > 0 ? terminalWidth : 200;
        if (current <= 0 && total <= 0)
        {
            return "";
        }
        if (total <= 0)
        {
            return units.Length == 0 ? Units.HumanSize(current).PadLeft(8) : $"{current} {units}";
        }
        var percentage = (int)((double)current / total * 100) / 2;
        if (percentage > 50)
        {
            percentage = 50;
        }
        var box = "";
        if (width > 110)
        {
            box = "[" + new string('=', percentage) + ">" + new string(' ', Math.Max(0, 50 - percentage)) + "] ";
        }
        var numbers = "";
        if (!hideCounts)
        {
            if (units.Length == 0)
            {
                numbers = current > total
                    ? Units.HumanSize(current).PadLeft(8)
                    : Units.HumanSize(current).PadLeft(8) + "/" + Units.HumanSize(total);
            }
            else
            {
                numbers = current > total ? $"{current} {units}" : $"{current}/{total} {units}";
            }
        }
        var timeLeft = "";
        if (current > 0 && start > 0 && percentage < 50 && width > 50)
        {
            var elapsed = Clock() - DateTimeOffset.FromUnixTimeSeconds(start);
            var left = TimeSpan.FromTicks(elapsed.Ticks / current * (total - current));
            timeLeft = " " + GoDuration(TimeSpan.FromSeconds(Math.Floor(left.TotalSeconds)));
        }
        return box + numbers + timeLeft;
    }

    /// <summary>Go's time.Duration.String for whole seconds ("0s", "45s", "1m30s", "2h0m5s").</summary>
    public static string GoDuration(TimeSpan d)
    {
        var s = (long)d.TotalSeconds;
        if (s == 0)
        {
            return "0s";
        }
        var h = s / 3600;
        var m = s / 60 % 60;
        var sec = s % 60;
        var sb = new StringBuilder();
        if (h > 0)
        {
            sb.Append(h.ToString(CultureInfo.InvariantCulture)).Append('h');
        }
        if (h > 0 || m > 0)
        {
            sb.Append(m.ToString(CultureInfo.InvariantCulture)).Append('m');
        }
        sb.Append(sec.ToString(CultureInfo.InvariantCulture)).Append('s');
        return sb.ToString();
    }

    private static long Long(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? (long)v.GetValue<double>() : 0;
}
