using Quai.Images.Content;

namespace Quai.Images;

/// <summary>Replaces a small file atomically: write a temp file, fsync it, rename over, fsync the directory.</summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="data"/> to <paramref name="path"/>; without <paramref name="durable"/>, skips both fsyncs (still atomic).</summary>
    public static async Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken, bool durable = true)
    {
        var dir = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: durable);
            }
            File.Move(temp, path, overwrite: true);
            if (durable)
            {
                LocalContentStore.SyncDirectory(dir);
            }
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
