using System.Globalization;
using System.Text;
using System.Text.Json;
using Quai.Runtime.Store;

namespace Quai.Runtime.Cli.Verbs;

/// <summary>`list [--format table|json] [-q]`.</summary>
public static class ListVerb
{
    public static readonly Verb Definition = new("list", "[--format table|json] [-q]", "list the containers under --root", [new("format", 'f', TakesValue: true), new("quiet", 'q')], 0, 0, (c, a) =>
    {
        var all = c.Service.List();
        if (a.Has("quiet"))
        {
            Console.Out.Write(string.Concat(all.Select(s => s.Id + "\n")));
            return 0;
        }
        switch (a.Get("format") ?? "table")
        {
            case "json":
                Console.Out.Write(JsonSerializer.Serialize(all, RuntimeJsonContext.Default.ListStateOutput) + "\n");
                return 0;
            case "table":
                Console.Out.Write(Table(all));
                return 0;
            default:
                throw new RuntimeException($"invalid --format \"{a.Get("format")}\": use table or json");
        }
    });

    /// <summary>runc's table: ID PID STATUS BUNDLE CREATED OWNER, columns padded like Go's tabwriter.</summary>
    public static string Table(IReadOnlyList<StateOutput> states)
    {
        var rows = new List<string[]> { new[] { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" } };
        rows.AddRange(states.Select(s => new[]
        {
            s.Id, s.Pid.ToString(CultureInfo.InvariantCulture), s.Status, s.Bundle,
            s.Created, s.Owner,
        }));
        var widths = Enumerable.Range(0, 6).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var sb = new StringBuilder();
        foreach (var r in rows)
        {
            for (var i = 0; i < 6; i++)
            {
                sb.Append(i < 5 ? r[i].PadRight(widths[i] + 3) : r[i]);
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
