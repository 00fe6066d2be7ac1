using System.Text;
using Quai.Cli.Parsing;

namespace Quai.Cli;

/// <summary>`--help` text in docker's layout (Usage, description, Aliases, Options).</summary>
public static class Help
{
    /// <summary>Help for one verb.</summary>
    public static void PrintCommand(TextWriter o, Command c)
    {
        var sb = new StringBuilder();
        sb.Append("\nUsage:  ").Append(CliInfo.Program).Append(' ').Append(c.Path).Append(' ').Append(c.Usage).Append("\n\n");
        sb.Append(c.Description).Append('\n');
        if (c.Aliases.Length > 0)
        {
            sb.Append("\nAliases:\n  ").Append(string.Join(", ", new[] { c.Path }.Concat(c.Aliases).Select(a => CliInfo.Program + " " + a))).Append('\n');
        }
        if (c.Flags.Length > 0)
        {
            sb.Append("\nOptions:\n");
            var rows = c.Flags.OrderBy(f => f.Name, StringComparer.Ordinal).Select(f =>
            {
                var left = (f.Short != '\0' ? $"  -{f.Short}, " : "      ") + "--" + f.Name + (f.Kind == FlagKind.Bool ? "" : " " + f.ValueType);
                var right = f.Help + (f.Default is null ? "" : $" (default {f.Default})");
                return (left, right);
            }).ToList();
            var width = rows.Max(r => r.left.Length);
            foreach (var (left, right) in rows)
            {
                sb.Append(left.PadRight(width)).Append("   ").Append(right).Append('\n');
            }
        }
        o.Write(sb.ToString());
    }

    /// <summary>Help for a management group (`quai container`).</summary>
    public static void PrintGroup(TextWriter o, string group)
    {
        var sb = new StringBuilder();
        sb.Append("\nUsage:  ").Append(CliInfo.Program).Append(' ').Append(group).Append(" COMMAND\n\n");
        sb.Append("Manage ").Append(group).Append("s\n\nCommands:\n");
        var cmds = Registry.All.Where(c => c.Path.StartsWith(group + " ", StringComparison.Ordinal)).ToList();
        var width = cmds.Count == 0 ? 0 : cmds.Max(c => c.Path.Length - group.Length - 1);
        foreach (var c in cmds)
        {
            sb.Append("  ").Append(c.Path[(group.Length + 1)..].PadRight(width)).Append("   ").Append(c.Description).Append('\n');
        }
        sb.Append("\nRun '").Append(CliInfo.Program).Append(' ').Append(group).Append(" COMMAND --help' for more information on a command.\n");
        o.Write(sb.ToString());
    }

    /// <summary>The top-level help.</summary>
    public static void PrintRoot(TextWriter o)
    {
        var sb = new StringBuilder();
        sb.Append("\nUsage:  ").Append(CliInfo.Program).Append(" [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers\n\nCommands:\n");
        var top = Registry.All.Where(c => !c.Path.Contains(' ', StringComparison.Ordinal)).Select(c => (c.Path, c.Description))
            .Concat(Registry.All.SelectMany(c => c.Aliases.Where(a => !a.Contains(' ', StringComparison.Ordinal)).Select(a => (Path: a, c.Description))))
            .OrderBy(x => x.Path, StringComparer.Ordinal).ToList();
        var width = top.Max(x => x.Path.Length);
        foreach (var (path, desc) in top)
        {
            sb.Append("  ").Append(path.PadRight(width)).Append("   ").Append(desc).Append('\n');
        }
        sb.Append("\nManagement Commands:\n");
        foreach (var g in Registry.Groups)
        {
            sb.Append("  ").Append(g.PadRight(width)).Append("   Manage ").Append(g).Append("s\n");
        }
        sb.Append("\nRun '").Append(CliInfo.Program).Append(" COMMAND --help' for more information on a command.\n");
        o.Write(sb.ToString());
    }
}
