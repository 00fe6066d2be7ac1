using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Quai.Engine.Store;

/// <summary>
/// Small state files replaced atomically (temp file, rename(2)), so a reader or a daemon that
/// crashes sees the old or the new content, never a torn file. <c>durable</c> adds the fsync(2)
/// before the rename that a power loss needs; state the daemon rebuilds at start (a running
/// container's status, files under the exec root, which is tmpfs on a real host) skips it:
/// an fsync on ext4 costs milliseconds on the start path.
/// </summary>
internal static class JsonFile
{
    public static void Write<T>(string path, T value, JsonTypeInfo<T> type, bool durable = true)
    {
        var dir = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, "." + Path.GetFileName(path) + "." + Environment.ProcessId + "." + Environment.CurrentManagedThreadId + ".tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, value, type);
                stream.Flush(flushToDisk: durable);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public static T? Read<T>(string path, JsonTypeInfo<T> type)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, type);
        }
        catch (FileNotFoundException)
        {
            return default;
        }
        catch (DirectoryNotFoundException)
        {
            return default;
        }
    }
}
