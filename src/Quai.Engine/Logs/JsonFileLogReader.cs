using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Quai.Engine.Logs;

/// <summary>
/// Reads docker's json-file logs (what quai-shim writes): the current file and its rotated
/// predecessors (FILE.1 is the newest old one), with tail, since/until and follow. Follow survives
/// rotation by reopening the file when it is replaced.
/// </summary>
public static class JsonFileLogReader
{
    /// <summary>Options of GET /containers/{id}/logs.</summary>
    public sealed record Options(bool Stdout, bool Stderr, DateTimeOffset? Since, DateTimeOffset? Until, int? Tail, bool Follow);

    /// <summary>The entries, oldest first; with follow, waits for more until <paramref name="stopped"/> completes.</summary>
    public static async IAsyncEnumerable<LogEntry> ReadAsync(string path, Options options, Task stopped, [EnumeratorCancellation] CancellationToken ct)
    {
        if (string.IsNullOrEmpty(path))
        {
            yield break;
        }
        var files = new List<string>();
        for (var i = 1; i < 100 && File.Exists(path + "." + i); i++)
        {
            files.Insert(0, path + "." + i);
        }

        // Entries of the rotated files and the current file as it is now.
        var initial = new List<LogEntry>();
        foreach (var f in files)
        {
            initial.AddRange(ReadFile(f, 0, out _).Where(e => Wanted(e, options)));
        }
        long offset = 0;
        if (File.Exists(path))
        {
            initial.AddRange(ReadFile(path, 0, out offset).Where(e => Wanted(e, options)));
        }
        var start = options.Tail is >= 0 and var t ? Math.Max(0, initial.Count - t) : 0;
        for (var i = start; i < initial.Count; i++)
        {
            yield return initial[i];
        }
        if (!options.Follow)
        {
            yield break;
        }

        var inode = Inode(path);
        while (!ct.IsCancellationRequested)
        {
            var done = stopped.IsCompleted;
            var currentInode = Inode(path);
            if (currentInode != inode)
            {
                // Rotated: finish the old file (now FILE.1) from where we were, then start the new one.
                foreach (var e in ReadFile(path + ".1", offset, out _).Where(e => Wanted(e, options)))
                {
                    yield return e;
                }
                inode = currentInode;
                offset = 0;
            }
            var fresh = ReadFile(path, offset, out var next);
            offset = next;
            foreach (var e in fresh.Where(e => Wanted(e, options)))
            {
                yield return e;
            }
            if (done)
            {
                yield break;
            }
            try
            {
                await Task.WhenAny(stopped, Task.Delay(100, ct)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    private static bool Wanted(LogEntry e, Options o) =>
        (e.Stream == 1 ? o.Stdout : o.Stderr) && (o.Since is null || e.Time > o.Since) && (o.Until is null || e.Time <= o.Until);

    private static ulong Inode(string path)
    {
        try
        {
            return Quai.Linux.DeviceNodes.Lstat(path).Inode;
        }
        catch (Quai.Linux.LinuxException)
        {
            return 0;
        }
    }

    /// <summary>Parses complete lines from <paramref name="offset"/>; <paramref name="end"/> is where the last complete line ends.</summary>
    private static List<LogEntry> ReadFile(string path, long offset, out long end)
    {
        end = offset;
        var list = new List<LogEntry>();
        byte[] data;
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (fs.Length <= offset)
            {
                return list;
            }
            fs.Seek(offset, SeekOrigin.Begin);
            data = new byte[fs.Length - offset];
            fs.ReadExactly(data);
        }
        catch (FileNotFoundException)
        {
            return list;
        }
        var pos = 0;
        while (true)
        {
            var nl = Array.IndexOf(data, (byte)'\n', pos);
            if (nl < 0)
            {
                break;
            }
            var line = data.AsSpan(pos, nl - pos);
            pos = nl + 1;
            if (line.Length == 0)
            {
                continue;
            }
            try
            {
                var reader = new Utf8JsonReader(line);
                string? log = null, stream = null;
                DateTimeOffset time = default;
                while (reader.Read())
                {
                    if (reader.TokenType != JsonTokenType.PropertyName)
                    {
                        continue;
                    }
                    var name = reader.GetString();
                    reader.Read();
                    switch (name)
                    {
                        case "log": log = reader.GetString(); break;
                        case "stream": stream = reader.GetString(); break;
                        case "time": time = reader.GetDateTimeOffset(); break;
                    }
                }
                if (log is not null)
                {
                    list.Add(new LogEntry(stream == "stderr" ? 2 : 1, time, Encoding.UTF8.GetBytes(log)));
                }
            }
            catch (JsonException)
            {
                // A torn line (crash mid-write) is skipped, as docker's reader does.
            }
            catch (FormatException)
            {
            }
        }
        end = offset + pos;
        return list;
    }
}
