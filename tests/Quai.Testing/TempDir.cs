using System.Runtime.InteropServices;
using System.Text;

namespace Quai.Testing;

/// <summary>A directory under $TMPDIR (default /tmp) removed with everything in it on dispose.</summary>
public sealed partial class TempDir : IDisposable
{
    private const int MNT_DETACH = 2;

    public TempDir(string prefix = "quai-test")
    {
        // Directory.CreateTempSubdirectory honours $TMPDIR, so a run can move all of it elsewhere.
        Path = Directory.CreateTempSubdirectory(prefix + "-").FullName;
    }

    /// <summary>The directory's absolute path.</summary>
    public string Path { get; }

    /// <summary>A path inside the directory.</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        // A mount left below the directory (a failed test's bind of a host path, say) must be
        // detached first: a recursive delete would otherwise walk into it and delete host files.
        foreach (var mountPoint in MountsBelow(Path))
        {
            _ = Umount2(mountPoint, MNT_DETACH);
        }
        if (MountsBelow(Path).Count > 0)
        {
            return; // still mounted: leave the directory rather than delete through a mount
        }
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Mount points at or below <paramref name="dir"/>, deepest first (/proc/self/mountinfo field 5).</summary>
    public static List<string> MountsBelow(string dir)
    {
        var result = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length < 5)
            {
                continue;
            }
            var mountPoint = Unescape(fields[4]);
            if (mountPoint == dir || mountPoint.StartsWith(dir + "/", StringComparison.Ordinal))
            {
                result.Add(mountPoint);
            }
        }
        result.Sort((a, b) => b.Length.CompareTo(a.Length));
        return result;
    }

    // mountinfo escapes space, tab, newline and backslash as \ooo (proc(5)).
    private static string Unescape(string s)
    {
        if (!s.Contains('\\', StringComparison.Ordinal))
        {
            return s;
        }
        var sb = new StringBuilder();
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length)
            {
                sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                sb.Append(s[i]);
            }
        }
        return sb.ToString();
    }

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2(string target, int flags);
}
