using System.Globalization;
using System.Text;

namespace Quai.Linux;

/// <summary>
/// One line of /proc/[pid]/mountinfo (proc_pid_mountinfo(5)):
/// <c>36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue</c>.
/// </summary>
public sealed record MountInfo(
    int MountId,
    int ParentId,
    string Device,
    string Root,
    string MountPoint,
    string MountOptions,
    IReadOnlyList<string> OptionalFields,
    string FileSystemType,
    string Source,
    string SuperOptions)
{
    /// <summary>True when the mount is a peer in a shared propagation group ("shared:N").</summary>
    public bool IsShared => OptionalFields.Any(f => f.StartsWith("shared:", StringComparison.Ordinal));

    /// <summary>Reads and parses /proc/self/mountinfo.</summary>
    public static IReadOnlyList<MountInfo> ReadSelf() => Parse(File.ReadAllText("/proc/self/mountinfo"));

    /// <summary>Parses the whole text of a mountinfo file, one entry per non-empty line.</summary>
    public static IReadOnlyList<MountInfo> Parse(string text)
    {
        var list = new List<MountInfo>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length > 0)
            {
                list.Add(ParseLine(line));
            }
        }
        return list;
    }

    /// <summary>Parses one mountinfo line; throws <see cref="FormatException"/> naming the line when malformed.</summary>
    public static MountInfo ParseLine(string line)
    {
        var fields = line.Split(' ');
        var separator = fields.Length < 10 ? -1 : Array.IndexOf(fields, "-", 6);
        if (separator < 0 || fields.Length < separator + 4)
        {
            throw new FormatException($"malformed mountinfo line (expected 10 or more fields with a '-' separator): '{line}'");
        }
        if (!int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ||
            !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent))
        {
            throw new FormatException($"malformed mountinfo line (mount ids are not numbers): '{line}'");
        }
        return new MountInfo(
            id,
            parent,
            fields[2],
            Unescape(fields[3]),
            Unescape(fields[4]),
            fields[5],
            fields[6..separator],
            Unescape(fields[separator + 1]),
            Unescape(fields[separator + 2]),
            fields[separator + 3]);
    }

    /// <summary>
    /// Undoes the kernel's octal escapes (\040 space, \011 tab, \012 newline, \134 backslash;
    /// fs/proc_namespace.c mangle()).
    /// </summary>
    public static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }
        var bytes = new List<byte>(field.Length);
        var raw = Encoding.UTF8.GetBytes(field);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\' && i + 3 < raw.Length && IsOctal(raw[i + 1]) && IsOctal(raw[i + 2]) && IsOctal(raw[i + 3]))
            {
                bytes.Add((byte)(((raw[i + 1] - '0') << 6) | ((raw[i + 2] - '0') << 3) | (raw[i + 3] - '0')));
                i += 3;
            }
            else
            {
                bytes.Add(raw[i]);
            }
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static bool IsOctal(byte b) => b is >= (byte)'0' and <= (byte)'7';
}
