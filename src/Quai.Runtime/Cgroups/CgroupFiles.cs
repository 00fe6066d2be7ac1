using System.Diagnostics;
using System.Text;
using Quai.Linux;
using Quai.Linux.Interop;

namespace Quai.Runtime.Cgroups;

/// <summary>
/// Reads and writes cgroupfs files. Each value goes in one write(2), as cgroupfs requires; errors
/// name the file, the value and the kernel's errno.
/// </summary>
internal static class CgroupFiles
{
    /// <summary>Writes <paramref name="value"/> to <paramref name="dir"/>/<paramref name="file"/>.</summary>
    public static void Write(string dir, string file, string value)
    {
        var path = System.IO.Path.Combine(dir, file);
        try
        {
            // File.OpenHandle opens with O_CLOEXEC. O_TRUNC (FileMode.Truncate) is ignored by cgroupfs, as
            // for "echo x > file", and keeps a fake tree of regular files exact; it never creates.
            using var handle = File.OpenHandle(path, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite);
            RandomAccess.Write(handle, Encoding.ASCII.GetBytes(value), 0);
        }
        catch (FileNotFoundException e)
        {
            throw new CgroupException($"cannot write \"{value}\" to {path}: the file does not exist (the controller is not available or not enabled for this cgroup)", e);
        }
        catch (IOException e)
        {
            throw new CgroupException($"cannot write \"{value}\" to {path}: {Describe(e)}{Hint(e)}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CgroupException($"cannot write \"{value}\" to {path}: permission denied (cgroups need root or a delegated cgroup)", e);
        }
    }

    /// <summary>Opens a cgroup file for writing (O_WRONLY, close-on-exec), for a write that must not depend on the path later.</summary>
    public static FileDescriptorHandle OpenForWrite(string dir, string file)
    {
        var path = System.IO.Path.Combine(dir, file);
        try
        {
            return FdIo.Open(path, Libc.O_WRONLY);
        }
        catch (LinuxException e)
        {
            throw new CgroupException($"cannot open {path} for writing: {e.Message}", e);
        }
    }

    /// <summary>Reads a whole file, trimmed; null when it does not exist.</summary>
    public static string? TryRead(string dir, string file)
    {
        try
        {
            return File.ReadAllText(System.IO.Path.Combine(dir, file)).Trim();
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Reads a whole file, trimmed; throws naming the file when it cannot.</summary>
    public static string Read(string dir, string file)
    {
        var path = System.IO.Path.Combine(dir, file);
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException e)
        {
            throw new CgroupException($"cannot read {path}: {Describe(e)}", e);
        }
    }

    /// <summary>Parses a flat-keyed file ("key value" per line: memory.stat, cpu.stat, memory.events).</summary>
    public static Dictionary<string, ulong> ParseFlatKeyed(string? text)
    {
        var result = new Dictionary<string, ulong>(StringComparer.Ordinal);
        if (text is null)
        {
            return result;
        }
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && ulong.TryParse(parts[1], out var v))
            {
                result[parts[0]] = v;
            }
        }
        return result;
    }

    /// <summary>Parses a single-number file; "max" (v2) and v1's near-2^63 "unlimited" give null.</summary>
    public static ulong? ParseLimit(string? text)
    {
        if (text is null || text == "max" || !ulong.TryParse(text, out var v))
        {
            return null;
        }
        // v1 reports "unlimited" as PAGE_COUNTER_MAX * PAGE_SIZE, i.e. 2^63 rounded down to a page.
        return v >= 0x7FFF_FFFF_FFFF_0000UL ? null : v;
    }

    /// <summary>Creates <paramref name="dir"/> and missing parents below <paramref name="mountPoint"/>; returns the directories it created, top first.</summary>
    public static List<string> MakeDirectories(string mountPoint, string dir)
    {
        var created = new List<string>();
        var rel = System.IO.Path.GetRelativePath(mountPoint, dir);
        if (rel == ".")
        {
            return created;
        }
        var current = mountPoint;
        foreach (var part in rel.Split('/'))
        {
            current = System.IO.Path.Combine(current, part);
            for (var attempt = 0; !Directory.Exists(current); attempt++)
            {
                try
                {
                    // mkdir(2) of one level. ENOENT means a parent vanished meanwhile (another
                    // container's Destroy removed an empty shared parent): make it again.
                    Directory.CreateDirectory(current);
                    created.Add(current);
                }
                catch (DirectoryNotFoundException) when (attempt < 3)
                {
                    Directory.CreateDirectory(System.IO.Path.GetDirectoryName(current)!);
                }
                catch (IOException e)
                {
                    throw new CgroupException($"cannot create cgroup {current}: {Describe(e)}", e);
                }
            }
        }
        return created;
    }

    /// <summary>
    /// rmdir(2) of <paramref name="dir"/> if it is an empty cgroup (no children, no tasks);
    /// anything else (in use, already gone) is left as it is. For shared parents Quai chose itself.
    /// </summary>
    public static bool TryRemoveEmpty(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: false);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Pids in cgroup.procs of <paramref name="dir"/> and every descendant.</summary>
    public static void CollectPids(string dir, HashSet<int> pids)
    {
        var procs = TryRead(dir, "cgroup.procs");
        if (procs is null)
        {
            return;
        }
        foreach (var line in procs.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(line, out var pid))
            {
                pids.Add(pid);
            }
        }
        foreach (var child in SafeSubdirectories(dir))
        {
            CollectPids(child, pids);
        }
    }

    /// <summary>
    /// rmdir(2) of <paramref name="dir"/>, children first. cgroupfs refuses (EBUSY) while a task is
    /// still exiting, so each rmdir is retried until <paramref name="timeout"/>. Gone already is fine.
    /// </summary>
    public static void RemoveTree(string dir, TimeSpan timeout)
    {
        foreach (var child in SafeSubdirectories(dir))
        {
            RemoveTree(child, timeout);
        }
        var clock = Stopwatch.StartNew();
        var delay = 5;
        while (true)
        {
            try
            {
                // Directory.Delete(non-recursive) is a plain rmdir; cgroupfs removes the control files with it.
                Directory.Delete(dir, recursive: false);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException e) when (clock.Elapsed < timeout && e.HResult is Errnos.EBUSY or Errnos.ENOTEMPTY or Errnos.EAGAIN)
            {
                Thread.Sleep(delay);
                delay = Math.Min(delay * 2, 100);
            }
            catch (IOException e)
            {
                throw new CgroupException($"cannot remove cgroup {dir}: {Describe(e)}; processes may still be in it (cat {dir}/cgroup.procs) — kill them and retry", e);
            }
        }
    }

    private static IEnumerable<string> SafeSubdirectories(string dir)
    {
        try
        {
            return Directory.GetDirectories(dir);
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }

    /// <summary>The errno of a .NET IOException on Unix is its HResult.</summary>
    internal static string Describe(IOException e) =>
        e.HResult is > 0 and < 4096 ? Errnos.Describe(e.HResult) : e.Message;

    private static string Hint(IOException e) => e.HResult switch
    {
        Errnos.EINVAL => " (the kernel rejected the value: check its range and format)",
        Errnos.EBUSY => " (the cgroup is in use, e.g. lowering a limit below current usage)",
        Errnos.ENOSPC => " (cpuset.cpus/mems may be empty, or a limit such as pids.max is reached)",
        Errnos.EOPNOTSUPP => " (this kernel does not support the setting)",
        _ => "",
    };
}
