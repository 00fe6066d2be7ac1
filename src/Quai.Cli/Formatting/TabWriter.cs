using System.Text;

namespace Quai.Cli.Formatting;

/// <summary>
/// Go's text/tabwriter with docker's table settings (minwidth 10, tabwidth 1, padding 3, pad
/// ' ', no flags): cells are tab-terminated, each column block is padded to its widest cell
/// plus padding, and a line's last (unterminated) cell is written as is.
/// </summary>
public sealed class TabWriter(int minWidth = 10, int padding = 3, char padChar = ' ')
{
    private readonly List<List<string>> _lines = [];
    private readonly List<int> _widths = [];

    /// <summary>Adds text; lines split on '\n', cells on '\t'.</summary>
    public void Write(string text)
    {
        var start = 0;
        while (start <= text.Length)
        {
            var nl = text.IndexOf('\n', start);
            var piece = nl < 0 ? text[start..] : text[start..nl];
            if (nl < 0)
            {
                if (piece.Length > 0)
                {
                    AppendToLast(piece, endLine: false);
                }
                break;
            }
            AppendToLast(piece, endLine: true);
            start = nl + 1;
        }
    }

    private bool _open;

    private void AppendToLast(string piece, bool endLine)
    {
        var cells = piece.Split('\t');
        if (_open && _lines.Count > 0)
        {
            var last = _lines[^1];
            last[^1] += cells[0];
            last.AddRange(cells.Skip(1));
        }
        else
        {
            _lines.Add([.. cells]);
        }
        _open = !endLine;
    }

    /// <summary>Formats everything written so far (Go's Flush).</summary>
    public string Flush()
    {
        var sb = new StringBuilder();
        Format(sb, 0, _lines.Count);
        var lastOpen = _open;
        _lines.Clear();
        _open = false;
        if (lastOpen && sb.Length > 0 && sb[^1] == '\n')
        {
            sb.Length--;
        }
        return sb.ToString();
    }

    private void Format(StringBuilder sb, int line0, int line1)
    {
        var column = _widths.Count;
        for (var t = line0; t < line1; t++)
        {
            if (column >= _lines[t].Count - 1)
            {
                continue;
            }
            WriteLines(sb, line0, t);
            line0 = t;
            var width = minWidth;
            for (; t < line1; t++)
            {
                var line = _lines[t];
                if (column >= line.Count - 1)
                {
                    break;
                }
                var w = CellWidth(line[column]) + padding;
                if (w > width)
                {
                    width = w;
                }
            }
            _widths.Add(width);
            Format(sb, line0, t);
            _widths.RemoveAt(_widths.Count - 1);
            line0 = t;
        }
        WriteLines(sb, line0, line1);
    }

    private void WriteLines(StringBuilder sb, int line0, int line1)
    {
        for (var i = line0; i < line1; i++)
        {
            var line = _lines[i];
            for (var j = 0; j < line.Count; j++)
            {
                sb.Append(line[j]);
                if (j < _widths.Count && j < line.Count - 1)
                {
                    sb.Append(padChar, Math.Max(0, _widths[j] - CellWidth(line[j])));
                }
            }
            sb.Append('\n');
        }
    }

    // Go counts runes (utf8.RuneCount), not UTF-16 units.
    private static int CellWidth(string s) => s.EnumerateRunes().Count();
}
