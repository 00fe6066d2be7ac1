using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Quai.Cli.Formatting;

public sealed partial class GoTemplate
{
    // Go prints a missing map key as "<no value>".
    private sealed class NoValue
    {
        public static readonly NoValue Instance = new();

        public override string ToString() => "<no value>";
    }

    private object? EvalPipeline(List<List<Operand>> pipeline, JsonNode? dot)
    {
        object? value = null;
        var first = true;
        foreach (var cmd in pipeline)
        {
            value = EvalCommand(cmd, dot, first ? null : new[] { value });
            first = false;
        }
        return value;
    }

    private object? EvalCommand(List<Operand> cmd, JsonNode? dot, object?[]? piped)
    {
        var head = cmd[0];
        var args = cmd.Skip(1).Select(o => EvalOperand(o, dot)).ToList();
        if (piped is not null)
        {
            args.AddRange(piped);
        }
        switch (head)
        {
            case FuncOp f:
                return Call(f.Name, args);
            case FieldOp field when args.Count > 0:
                // A method with arguments, like ps's {{.Label "k"}}: the row holds a map under that name.
                var target = Lookup(dot, field.Path);
                return args.Count == 1 ? Index(target, args[0]) : throw new FormatException($"template: wrong number of args for {string.Join('.', field.Path)}");
            default:
                if (args.Count > 0)
                {
                    throw new FormatException("template: can't give argument to non-function");
                }
                return EvalOperand(head, dot);
        }
    }

    private object? EvalOperand(Operand op, JsonNode? dot) => op switch
    {
        FieldOp f => Lookup(dot, f.Path),
        LiteralOp l => l.Value,
        SubPipeOp p => EvalPipeline(p.Pipeline, dot),
        FuncOp f => Call(f.Name, []),
        _ => null,
    };

    private static object? Lookup(JsonNode? dot, string[] path)
    {
        object? cur = dot;
        foreach (var name in path)
        {
            if (cur is JsonObject o)
            {
                if (!o.TryGetPropertyValue(name, out var next))
                {
                    return NoValue.Instance;
                }
                cur = next;
            }
            else if (cur is null)
            {
                return NoValue.Instance;
            }
            else
            {
                throw new FormatException($"template: :1: can't evaluate field {name} in type {TypeName(cur)}");
            }
        }
        return cur;
    }

    private static string TypeName(object? v) => v switch
    {
        JsonArray => "[]interface {}",
        JsonValue jv when jv.GetValueKind() == JsonValueKind.String => "string",
        JsonValue => "float64",
        string => "string",
        _ => "interface {}",
    };

    private static object? Index(object? target, object? key)
    {
        switch (target)
        {
            case JsonObject o:
                var k = Str(key);
                return o.TryGetPropertyValue(k, out var v) ? v : NoValue.Instance;
            case JsonArray a:
                var i = (int)ToLong(key);
                if (i < 0 || i >= a.Count)
                {
                    throw new FormatException($"template: error calling index: index out of range: {i}");
                }
                return a[i];
            case List<object?> l:
                return l[(int)ToLong(key)];
            case null or NoValue:
                return NoValue.Instance;
            default:
                throw new FormatException($"template: error calling index: can't index item of type {TypeName(target)}");
        }
    }

    private object? Call(string name, List<object?> args)
    {
        switch (name)
        {
            case "json":
                Require(name, args, 1);
                return EscapeHtmlInRootJson && _root is not null && ReferenceEquals(args[0], _root) ? RowJson(_root) : Json(args[0]);
            case "index":
                var target = args[0];
                foreach (var k in args.Skip(1))
                {
                    target = Index(target, k);
                }
                return target;
            case "len":
                Require(name, args, 1);
                return args[0] switch
                {
                    JsonArray a => (long)a.Count,
                    JsonObject o => (long)o.Count,
                    List<object?> l => (long)l.Count,
                    var v => (long)Str(v).Length,
                };
            case "join":
                Require(name, args, 2);
                return string.Join(Str(args[1]), Items(args[0]).Select(Print));
            case "split":
                Require(name, args, 2);
                return Str(args[0]).Split(Str(args[1])).Select(x => (object?)x).ToList();
            case "upper":
                return Str(args[0]).ToUpperInvariant();
            case "lower":
                return Str(args[0]).ToLowerInvariant();
            case "title":
                var s = Str(args[0]);
                return string.Join(' ', s.Split(' ').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]));
            case "truncate":
                Require(name, args, 2);
                var t = Str(args[0]);
                var n = (int)ToLong(args[1]);
                return t.Length > n ? t[..n] : t;
            case "pad":
                Require(name, args, 3);
                return new string(' ', (int)ToLong(args[1])) + Str(args[0]) + new string(' ', (int)ToLong(args[2]));
            case "println":
                return string.Join(' ', args.Select(Print)) + "\n";
            case "print":
                return string.Concat(args.Select(Print));
            case "printf":
                return Printf(Str(args[0]), args.Skip(1).ToList());
            case "not":
                return !Truthy(args[0]);
            case "and":
                return args.FirstOrDefault(a => !Truthy(a), args.LastOrDefault());
            case "or":
                return args.FirstOrDefault(Truthy, args.LastOrDefault());
            case "eq":
                return args.Skip(1).Any(a => Print(a) == Print(args[0]));
            case "ne":
                return Print(args[0]) != Print(args[1]);
            default:
                throw new FormatException($"template parsing error: template: :1: function \"{name}\" not defined");
        }
    }

    private static void Require(string name, List<object?> args, int count)
    {
        if (args.Count != count)
        {
            throw new FormatException($"template: :1: wrong number of args for {name}: want {count} got {args.Count}");
        }
    }

    private static IEnumerable<object?> Items(object? v) => v switch
    {
        JsonArray a => a,
        List<object?> l => l,
        null or NoValue => [],
        _ => [v],
    };

    private static string Printf(string format, List<object?> args)
    {
        var sb = new StringBuilder();
        var ai = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                sb.Append(format[i]);
                continue;
            }
            var verb = format[++i];
            if (verb == '%')
            {
                sb.Append('%');
                continue;
            }
            var arg = ai < args.Count ? args[ai++] : null;
            sb.Append(verb == 'q' ? "\"" + Print(arg) + "\"" : Print(arg));
        }
        return sb.ToString();
    }

    private static long ToLong(object? v) => v switch
    {
        long l => l,
        JsonValue jv when jv.GetValueKind() == JsonValueKind.Number => (long)jv.GetValue<double>(),
        _ => long.Parse(Str(v), CultureInfo.InvariantCulture),
    };

    private static string Str(object? v) => v switch
    {
        string s => s,
        JsonValue jv when jv.GetValueKind() == JsonValueKind.String => jv.GetValue<string>(),
        _ => Print(v),
    };

    // A list row marshals its fields, not its methods: ps's .Label "k" (kept in the row as the
    // labels map) is not one of them.
    private static string RowJson(JsonNode root)
    {
        if (root is JsonObject o && o.ContainsKey("Label"))
        {
            var copy = (JsonObject)o.DeepClone();
            copy.Remove("Label");
            return GoJson.Serialize(copy);
        }
        return GoJson.Serialize(root);
    }

    /// <summary>docker's json template function: compact JSON without HTML escaping.</summary>
    private static string Json(object? v) => v switch
    {
        NoValue => "null",
        JsonNode n => GoJson.Serialize(n, escapeHtml: false),
        null => "null",
        string s => GoJson.Serialize(JsonValue.Create(s), escapeHtml: false),
        long l => l.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        List<object?> l => "[" + string.Join(',', l.Select(Json)) + "]",
        _ => GoJson.Serialize(JsonValue.Create(v.ToString()), escapeHtml: false),
    };

    /// <summary>Go's fmt %v of a decoded JSON value: maps as map[k:v] (sorted keys), slices as [a b].</summary>
    internal static string Print(object? v)
    {
        switch (v)
        {
            case null:
                return "<nil>";
            case NoValue:
                return "<no value>";
            case string s:
                return s;
            case bool b:
                return b ? "true" : "false";
            case long l:
                return l.ToString(CultureInfo.InvariantCulture);
            case List<object?> list:
                return "[" + string.Join(' ', list.Select(Print)) + "]";
            case JsonObject o:
                return "map[" + string.Join(' ', o.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + ":" + Print(kv.Value))) + "]";
            case JsonArray a:
                return "[" + string.Join(' ', a.Select(x => Print(x))) + "]";
            case JsonValue jv:
                return jv.GetValueKind() switch
                {
                    JsonValueKind.String => jv.GetValue<string>(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    JsonValueKind.Null => "<nil>",
                    _ => FormatNumber(jv),
                };
            default:
                return v.ToString() ?? "";
        }
    }

    private static string FormatNumber(JsonValue jv)
    {
        var raw = jv.ToJsonString();
        // Integers print as written; Go prints a large float64 like 1e+09, but docker's typed
        // structs hold these as ints, so keeping the daemon's digits matches `inspect -f` output.
        return raw;
    }
}
