using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Quai.Cli.Formatting;

/// <summary>
/// The subset of Go's text/template that docker's `--format` users write: `{{.A.B}}`, `{{.}}`,
/// `{{json .X}}`, `{{index .Labels "k"}}`, method-like `{{.Label "k"}}`, pipelines with `|`,
/// string literals (`{{"\t"}}`), `if`/`else`/`range`/`with`/`end`, and docker's functions
/// (json, join, split, upper, lower, title, truncate, pad, println) plus len, eq, ne, not, print.
/// Data is JSON (the daemon's answer or a list row built from it).
/// </summary>
public sealed partial class GoTemplate
{
    private readonly List<Node> _nodes;

    private GoTemplate(List<Node> nodes) => _nodes = nodes;

    private GoTemplate(GoTemplate other, bool escapeRoot)
    {
        _nodes = other._nodes;
        EscapeHtmlInRootJson = escapeRoot;
    }

    /// <summary>This template with <see cref="EscapeHtmlInRootJson"/> set.</summary>
    public GoTemplate ForListRows() => new(this, escapeRoot: true);

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">Unbalanced braces or an unknown keyword, with docker's "template parsing error:" prefix.</exception>
    public static GoTemplate Parse(string text)
    {
        var pos = 0;
        var nodes = ParseList(text, ref pos, out var end);
        if (end is not null)
        {
            throw new FormatException($"template parsing error: template: :1: unexpected {{{{{end}}}}}");
        }
        return new GoTemplate(nodes);
    }

    private JsonNode? _root;

    /// <summary>
    /// When set, `{{json .}}` of the whole row escapes &lt; &gt; &amp; as docker's list formatters do
    /// (their rows marshal themselves with json.Marshal); every other `json` call does not
    /// (docker's template func uses an encoder with SetEscapeHTML(false)).
    /// </summary>
    public bool EscapeHtmlInRootJson { get; init; }

    /// <summary>Runs the template on <paramref name="data"/>.</summary>
    public string Execute(JsonNode? data)
    {
        var sb = new StringBuilder();
        _root = data;
        Run(_nodes, data, sb);
        return sb.ToString();
    }

    private abstract record Node;

    private sealed record TextNode(string Text) : Node;

    private sealed record ActionNode(List<List<Operand>> Pipeline) : Node;

    private sealed record BlockNode(string Kind, List<List<Operand>> Pipeline, List<Node> Body, List<Node>? Else) : Node;

    private abstract record Operand;

    private sealed record FieldOp(string[] Path) : Operand; // empty path = "."

    private sealed record LiteralOp(object? Value) : Operand;

    private sealed record FuncOp(string Name) : Operand;

    private sealed record SubPipeOp(List<List<Operand>> Pipeline) : Operand;

    private static List<Node> ParseList(string text, ref int pos, out string? terminator)
    {
        var nodes = new List<Node>();
        terminator = null;
        while (pos < text.Length)
        {
            var open = text.IndexOf("{{", pos, StringComparison.Ordinal);
            if (open < 0)
            {
                nodes.Add(new TextNode(text[pos..]));
                pos = text.Length;
                break;
            }
            var trimLeft = open + 2 < text.Length && text[open + 2] == '-' && open + 3 < text.Length && text[open + 3] == ' ';
            var literal = text[pos..open];
            if (trimLeft)
            {
                literal = literal.TrimEnd();
            }
            if (literal.Length > 0)
            {
                nodes.Add(new TextNode(literal));
            }
            var close = FindClose(text, open + 2);
            if (close < 0)
            {
                throw new FormatException("template parsing error: template: :1: unclosed action");
            }
            var inner = text[(open + 2)..close];
            pos = close + 2;
            if (inner.StartsWith("- ", StringComparison.Ordinal))
            {
                inner = inner[2..];
            }
            if (inner.EndsWith(" -", StringComparison.Ordinal))
            {
                inner = inner[..^2];
                while (pos < text.Length && char.IsWhiteSpace(text[pos]))
                {
                    pos++;
                }
            }
            inner = inner.Trim();
            if (inner.StartsWith("/*", StringComparison.Ordinal))
            {
                continue;
            }
            var word = inner.Split(' ', 2)[0];
            switch (word)
            {
                case "end":
                case "else":
                    terminator = inner;
                    return nodes;
                case "if":
                case "range":
                case "with":
                    var pipe = ParsePipeline(inner[word.Length..]);
                    var body = ParseList(text, ref pos, out var t);
                    List<Node>? elseBody = null;
                    if (t == "else")
                    {
                        elseBody = ParseList(text, ref pos, out t);
                    }
                    if (t != "end")
                    {
                        throw new FormatException($"template parsing error: template: :1: unexpected EOF in {word}");
                    }
                    nodes.Add(new BlockNode(word, pipe, body, elseBody));
                    break;
                default:
                    nodes.Add(new ActionNode(ParsePipeline(inner)));
                    break;
            }
        }
        return nodes;
    }

    private static int FindClose(string text, int from)
    {
        var inString = false;
        for (var i = from; i < text.Length - 1; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c == '}' && text[i + 1] == '}')
            {
                return i;
            }
        }
        return -1;
    }

    private static List<List<Operand>> ParsePipeline(string s)
    {
        var tokens = Tokenize(s);
        var i = 0;
        return ParsePipelineTokens(tokens, ref i, untilParen: false);
    }

    private static List<List<Operand>> ParsePipelineTokens(List<string> tokens, ref int i, bool untilParen)
    {
        var pipeline = new List<List<Operand>>();
        var cmd = new List<Operand>();
        for (; i < tokens.Count; i++)
        {
            var tok = tokens[i];
            if (tok == "|")
            {
                pipeline.Add(cmd);
                cmd = [];
                continue;
            }
            if (tok == ")")
            {
                if (untilParen)
                {
                    break;
                }
                throw new FormatException("template parsing error: unexpected )");
            }
            if (tok == "(")
            {
                i++;
                cmd.Add(new SubPipeOp(ParsePipelineTokens(tokens, ref i, untilParen: true)));
                continue;
            }
            cmd.Add(ParseOperand(tok));
        }
        if (cmd.Count > 0)
        {
            pipeline.Add(cmd);
        }
        if (pipeline.Count == 0)
        {
            throw new FormatException("template parsing error: template: :1: missing value for command");
        }
        return pipeline;
    }

    private static Operand ParseOperand(string tok)
    {
        if (tok == ".")
        {
            return new FieldOp([]);
        }
        if (tok.StartsWith('.'))
        {
            return new FieldOp(tok[1..].Split('.'));
        }
        if (tok.StartsWith('"'))
        {
            return new LiteralOp(Unquote(tok));
        }
        if (tok.StartsWith('`'))
        {
            return new LiteralOp(tok[1..^1]);
        }
        if (tok is "true" or "false")
        {
            return new LiteralOp(tok == "true");
        }
        if (tok == "nil")
        {
            return new LiteralOp(null);
        }
        if (long.TryParse(tok, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
        {
            return new LiteralOp(n);
        }
        if (tok.Length > 0 && (char.IsAsciiLetter(tok[0]) || tok[0] == '_'))
        {
            return new FuncOp(tok);
        }
        throw new FormatException($"template parsing error: template: :1: unexpected \"{tok}\" in command");
    }

    private static List<string> Tokenize(string s)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }
            if (c is '|' or '(' or ')')
            {
                tokens.Add(c.ToString());
                i++;
                continue;
            }
            var start = i;
            if (c is '"' or '`')
            {
                i++;
                while (i < s.Length && s[i] != c)
                {
                    if (c == '"' && s[i] == '\\')
                    {
                        i++;
                    }
                    i++;
                }
                i++;
                tokens.Add(s[start..Math.Min(i, s.Length)]);
                continue;
            }
            while (i < s.Length && !char.IsWhiteSpace(s[i]) && s[i] is not '|' and not '(' and not ')')
            {
                i++;
            }
            tokens.Add(s[start..i]);
        }
        return tokens;
    }

    private static string Unquote(string tok)
    {
        var sb = new StringBuilder();
        for (var i = 1; i < tok.Length - 1; i++)
        {
            var c = tok[i];
            if (c != '\\' || i + 1 >= tok.Length - 1)
            {
                sb.Append(c);
                continue;
            }
            var e = tok[++i];
            sb.Append(e switch
            {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '\\' => '\\',
                '"' => '"',
                '0' => '\0',
                _ => e,
            });
        }
        return sb.ToString();
    }

    private void Run(List<Node> nodes, JsonNode? dot, StringBuilder sb)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode t:
                    sb.Append(t.Text);
                    break;
                case ActionNode a:
                    sb.Append(Print(EvalPipeline(a.Pipeline, dot)));
                    break;
                case BlockNode b:
                    RunBlock(b, dot, sb);
                    break;
            }
        }
    }

    private void RunBlock(BlockNode b, JsonNode? dot, StringBuilder sb)
    {
        var value = EvalPipeline(b.Pipeline, dot);
        if (b.Kind == "range")
        {
            var items = value switch
            {
                JsonArray a => a.Select(x => x).ToList(),
                JsonObject o => o.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value).ToList(),
                List<object?> l => l.Select(ToNode).ToList(),
                _ => [],
            };
            if (items.Count == 0)
            {
                if (b.Else is not null)
                {
                    Run(b.Else, dot, sb);
                }
                return;
            }
            foreach (var item in items)
            {
                Run(b.Body, item, sb);
            }
            return;
        }
        if (Truthy(value))
        {
            Run(b.Body, b.Kind == "with" ? ToNode(value) : dot, sb);
        }
        else if (b.Else is not null)
        {
            Run(b.Else, dot, sb);
        }
    }

    private static JsonNode? ToNode(object? v) => v switch
    {
        null => null,
        JsonNode n => n,
        string s => JsonValue.Create(s),
        long l => JsonValue.Create(l),
        bool b => JsonValue.Create(b),
        List<object?> list => new JsonArray([.. list.Select(x => ToNode(x)?.DeepClone())]),
        _ => JsonValue.Create(v.ToString()),
    };

    private static bool Truthy(object? v) => v switch
    {
        null => false,
        bool b => b,
        string s => s.Length > 0,
        long l => l != 0,
        JsonArray a => a.Count > 0,
        JsonObject o => o.Count > 0,
        JsonValue jv => jv.GetValueKind() switch
        {
            JsonValueKind.False or JsonValueKind.Null => false,
            JsonValueKind.String => jv.GetValue<string>().Length > 0,
            JsonValueKind.Number => jv.ToJsonString() is not ("0" or "0.0"),
            _ => true,
        },
        List<object?> l => l.Count > 0,
        _ => true,
    };
}
