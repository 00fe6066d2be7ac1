using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Quai.Linux.Interop;

namespace Quai.Images;

/// <summary>
/// A metadata database kept as one JSON file, replaced atomically on every change, and held in
/// memory while the file is the one last read or written here (same inode, size and mtime): every
/// operation of the image store and the snapshotter used to parse the whole file again, in
/// proportion to the images and snapshots there are (three snapshotter reads per container start).
/// Another instance on the same root replaces the file, which changes its inode: it is read again.
/// Callers serialise access (their own lock) and must not let the object escape it.
/// </summary>
internal sealed class JsonDatabaseFile<T>(string path, JsonTypeInfo<T> type) where T : class, new()
{
    private T? _cached;
    private (ulong Inode, long Size, long Seconds, long Nanoseconds)? _stamp;

    /// <summary>The database (a new, empty one when the file does not exist).</summary>
    public async Task<T> LoadAsync(CancellationToken cancellationToken)
    {
        var stamp = Stamp(path);
        if (stamp is null)
        {
            _cached = null;
            return new T();
        }
        if (_cached is not null && stamp == _stamp)
        {
            return _cached;
        }
        _cached = null;
        var db = JsonSerializer.Deserialize(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false), type) ?? new T();
        (_cached, _stamp) = (db, stamp);
        return db;
    }

    /// <summary>Writes <paramref name="db"/> (temporary file, rename; fsync'ed when <paramref name="durable"/>) and keeps it.</summary>
    public async Task SaveAsync(T db, bool durable, CancellationToken cancellationToken)
    {
        _cached = null;
        await AtomicFile.WriteAllBytesAsync(path, JsonSerializer.SerializeToUtf8Bytes(db, type), cancellationToken, durable).ConfigureAwait(false);
        (_cached, _stamp) = (db, Stamp(path));
    }

    /// <summary>Drops the copy in memory: a change that failed half-way must not stay there.</summary>
    public void Forget() => _cached = null;

    private static unsafe (ulong Inode, long Size, long Seconds, long Nanoseconds)? Stamp(string file)
    {
        Libc.Stat st;
        return Libc.Lstat(file, &st) == 0 ? (st.Inode, st.Size, st.ModifySeconds, st.ModifyNanoseconds) : null;
    }
}
