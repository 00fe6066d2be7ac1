using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Quai.Cli.Formatting;

/// <summary>
/// JSON as Go's encoding/json writes it, so `--format '{{json .}}'` and `inspect` match docker
/// byte for byte: compact output that escapes &lt; &gt; &amp; as \u003c \u003e \u0026, and
/// json.Indent's re-indentation of the daemon's raw bytes (strings copied as received).
/// </summary>
public static class GoJson
{
    /// <summary>Compact JSON of <paramref name="node"/>; Go's json.Marshal escapes HTML characters.</summary>
    public static string Serialize(JsonNode? node, bool escapeHtml = true)
    {
        var sb = new StringBuilder();
        Write(sb, node, escapeHtml);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, JsonNode? node, bool escapeHtml)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject o:
                sb.Append('{');
                var first = true;
                foreach (var (k, v) in o)
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }
                    first = false;
                    WriteString(sb, k, escapeHtml);
                    sb.Append(':');
                    Write(sb, v, escapeHtml);
                }
                sb.Append('}');
                break;
            case JsonArray a:
                sb.Append('[');
                for (var i = 0; i < a.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }
                    Write(sb, a[i], escapeHtml);
                }
                sb.Append(']');
                break;
            case JsonValue v:
                switch (v.GetValueKind())
                {
                    case JsonValueKind.String:
                        WriteString(sb, v.GetValue<string>(), escapeHtml);
                        break;
                    case JsonValueKind.True:
                        sb.Append("true");
                        break;
                    case JsonValueKind.False:
                        sb.Append("false");
                        break;
                    default:
                        sb.Append(v.ToJsonString());
                        break;
                }
                break;
        }
    }

    /// <summary>A JSON string literal as Go encodes it.</summary>
    public static void WriteString(StringBuilder sb, string s, bool escapeHtml = true)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '<' or '>' or '&' when escapeHtml:
                case '\u2028' or '\u2029':
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        sb.Append('"');
    }

    /// <summary>
    /// Go's json.Indent(dst, src, prefix, indent): whitespace outside strings is replaced by
    /// newlines and <paramref name="indent"/> per level; `[]` and `{}` stay on one line.
    /// </summary>
    public static string Indent(ReadOnlySpan<byte> raw, string prefix, string indent)
    {
        var text = Encoding.UTF8.GetString(raw);
        var sb = new StringBuilder(text.Length * 2);
        var depth = 0;
        var needIndent = false; // just opened a container; write the newline lazily so empty ones stay []
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is ' ' or '\t' or '\n' or '\r')
            {
                continue;
            }
            if (needIndent && c is not ']' and not '}')
            {
                needIndent = false;
                depth++;
                NewLine(sb, prefix, indent, depth);
            }
            switch (c)
            {
                case '"':
                    var start = i;
                    i++;
                    while (i < text.Length && text[i] != '"')
                    {
                        if (text[i] == '\\')
                        {
                            i++;
                        }
                        i++;
                    }
                    sb.Append(text, start, i - start + 1);
                    break;
                case '{' or '[':
                    sb.Append(c);
                    needIndent = true;
                    break;
                case ',':
                    sb.Append(c);
                    NewLine(sb, prefix, indent, depth);
                    break;
                case ':':
                    sb.Append(": ");
                    break;
                case '}' or ']':
                    if (needIndent)
                    {
                        needIndent = false;
                    }
                    else
                    {
                        depth--;
                        NewLine(sb, prefix, indent, depth);
                    }
                    sb.Append(c);
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    private static void NewLine(StringBuilder sb, string prefix, string indent, int depth)
    {
        sb.Append('\n').Append(prefix);
        for (var d = 0; d < depth; d++)
        {
            sb.Append(indent);
        }
    }
}
