using System.Text.Json;
using Quai.Linux.Interop;

namespace Quai.Images.Snapshots;

/// <summary>
/// An overlayfs snapshotter like containerd's (plugins/snapshots/overlay): each snapshot is
/// <c>root/snapshots/&lt;n&gt;/fs</c> (its layer) and <c>…/work</c> (overlay's workdir); an active
/// snapshot mounts as overlay with its parents' fs dirs as lowerdir, or as a bind mount when it
/// has no parent. Committed snapshots are named by the unpacker with the layer chain ID, so
/// images that share layers share them on disk. Metadata is one JSON file replaced atomically.
/// </summary>
public sealed partial class OverlaySnapshotter : ISnapshotter
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly JsonDatabaseFile<SnapshotDatabase> _metadata;

    /// <summary>Opens (creating if needed) the snapshotter rooted at <paramref name="root"/>.</summary>
    public OverlaySnapshotter(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Path.Combine(Root, "snapshots"));
        _metadata = new JsonDatabaseFile<SnapshotDatabase>(Path.Combine(Root, "metadata.json"), StateJsonContext.Default.SnapshotDatabase);
    }

    /// <summary>The snapshotter's root directory.</summary>
    public string Root { get; }

    /// <inheritdoc />
    public Task<IReadOnlyList<MountSpec>> PrepareAsync(string key, string? parent, CancellationToken cancellationToken = default) =>
        CreateAsync(key, parent, SnapshotKind.Active, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<MountSpec>> ViewAsync(string key, string? parent, CancellationToken cancellationToken = default) =>
        CreateAsync(key, parent, SnapshotKind.View, cancellationToken);

    private async Task<IReadOnlyList<MountSpec>> CreateAsync(string key, string? parent, SnapshotKind kind, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return await LockedAsync(db =>
        {
            if (db.Snapshots.ContainsKey(key))
            {
                throw new ImageException(ImageErrorKind.AlreadyExists, $"snapshot \"{key}\" already exists; remove it first or use another key");
            }
            if (parent is not null && (!db.Snapshots.TryGetValue(parent, out var p) || p.Kind != SnapshotKind.Committed))
            {
                throw new ImageException(ImageErrorKind.NotFound, $"parent snapshot \"{parent}\" of \"{key}\" does not exist or is not committed");
            }
            var id = db.NextId++.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var dir = Path.Combine(Root, "snapshots", id);
            Directory.CreateDirectory(Path.Combine(dir, "fs"));
            if (kind == SnapshotKind.Active)
            {
                Directory.CreateDirectory(Path.Combine(dir, "work"));
            }
            db.Snapshots[key] = new SnapshotRecord { Id = id, Parent = parent, Kind = kind, Created = DateTimeOffset.UtcNow };
            return (kind == SnapshotKind.Active ? Save.Atomic : Save.Durable, MountsOf(db, key));
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MountSpec>> MountsAsync(string key, CancellationToken cancellationToken = default) =>
        LockedAsync(db => (Save.No, MountsOf(db, key)), cancellationToken);

    /// <inheritdoc />
    public async Task CommitAsync(string name, string key, CancellationToken cancellationToken = default)
    {
        // Measured once here, as containerd's overlay snapshotter does in Commit: a committed
        // layer no longer changes, and an image's size is the sum of its layers'.
        var size = Measure(await FsPathAsync(key, cancellationToken).ConfigureAwait(false)).Size;
        await LockedAsync(db =>
        {
            var record = Get(db, key);
            if (record.Kind != SnapshotKind.Active)
            {
                throw new ImageException(ImageErrorKind.FailedPrecondition, $"snapshot \"{key}\" is {record.Kind.ToString().ToLowerInvariant()}, only an active snapshot can be committed");
            }
            if (db.Snapshots.ContainsKey(name))
            {
                throw new ImageException(ImageErrorKind.AlreadyExists, $"snapshot \"{name}\" already exists");
            }
            db.Snapshots.Remove(key);
            record.Kind = SnapshotKind.Committed;
            record.Size = size;
            db.Snapshots[name] = record;
            // The workdir is only needed while the snapshot is an upper layer.
            var work = Path.Combine(Root, "snapshots", record.Id, "work");
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
            return (Save.Durable, 0);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The sizes measured when <paramref name="keys"/> were committed, in order; null for a key
    /// that is absent, not committed, or was committed before sizes were kept.
    /// </summary>
    public Task<IReadOnlyList<long?>> CommittedSizesAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default) =>
        LockedAsync(db => (Save.No, (IReadOnlyList<long?>)[.. keys.Select(k => db.Snapshots.TryGetValue(k, out var r) && r.Kind == SnapshotKind.Committed ? r.Size : null)]), cancellationToken);

    /// <inheritdoc />
    public Task RemoveAsync(string key, CancellationToken cancellationToken = default) =>
        LockedAsync(db =>
        {
            var record = Get(db, key);
            var child = db.Snapshots.FirstOrDefault(kv => kv.Value.Parent == key).Key;
            if (child is not null)
            {
                throw new ImageException(ImageErrorKind.Conflict, $"snapshot \"{key}\" is the parent of \"{child}\"; remove that first");
            }
            db.Snapshots.Remove(key);
            var dir = Path.Combine(Root, "snapshots", record.Id);
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
            return (record.Kind == SnapshotKind.Active ? Save.Atomic : Save.Durable, 0);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<SnapshotInfo?> StatAsync(string key, CancellationToken cancellationToken = default) =>
        LockedAsync(db => (Save.No, db.Snapshots.TryGetValue(key, out var r) ? new SnapshotInfo(key, r.Parent, r.Kind, r.Created) : null), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<SnapshotInfo>> WalkAsync(CancellationToken cancellationToken = default) =>
        LockedAsync(db => (Save.No, (IReadOnlyList<SnapshotInfo>)db.Snapshots.Select(kv => new SnapshotInfo(kv.Key, kv.Value.Parent, kv.Value.Kind, kv.Value.Created)).ToList()), cancellationToken);

    /// <inheritdoc />
    public async Task<SnapshotUsage> UsageAsync(string key, CancellationToken cancellationToken = default)
    {
        var fs = await FsPathAsync(key, cancellationToken).ConfigureAwait(false);
        return Measure(fs);
    }

    /// <summary>The directory holding the snapshot's own layer (where a layer is unpacked, or a container's upper dir).</summary>
    public Task<string> FsPathAsync(string key, CancellationToken cancellationToken = default) =>
        LockedAsync(db => (Save.No, FsPath(Get(db, key))), cancellationToken);

    /// <summary>The fs dirs of the snapshot's parents, nearest first (lower layers for overlay-form unpacking).</summary>
    public Task<IReadOnlyList<string>> ParentPathsAsync(string key, CancellationToken cancellationToken = default) =>
        LockedAsync(db => (Save.No, (IReadOnlyList<string>)Parents(db, Get(db, key)).Select(FsPath).ToList()), cancellationToken);

    private string FsPath(SnapshotRecord r) => Path.Combine(Root, "snapshots", r.Id, "fs");

    private static SnapshotRecord Get(SnapshotDatabase db, string key) =>
        db.Snapshots.TryGetValue(key, out var r) ? r : throw ImageException.NotFound($"snapshot \"{key}\" does not exist");

    private static List<SnapshotRecord> Parents(SnapshotDatabase db, SnapshotRecord r)
    {
        var list = new List<SnapshotRecord>();
        for (var p = r.Parent; p is not null; p = db.Snapshots[p].Parent)
        {
            list.Add(db.Snapshots[p]);
        }
        return list;
    }

    private IReadOnlyList<MountSpec> MountsOf(SnapshotDatabase db, string key)
    {
        var r = Get(db, key);
        if (r.Kind == SnapshotKind.Committed)
        {
            throw new ImageException(ImageErrorKind.FailedPrecondition, $"snapshot \"{key}\" is committed; prepare or view a snapshot on it to mount it");
        }
        var parents = Parents(db, r).Select(FsPath).ToList();
        if (r.Kind == SnapshotKind.Active)
        {
            if (parents.Count == 0)
            {
                return [new MountSpec("bind", FsPath(r), ["rbind", "rw"])];
            }
            var dir = Path.Combine(Root, "snapshots", r.Id);
            return [new MountSpec("overlay", "overlay", ["index=off", "lowerdir=" + string.Join(':', parents), "upperdir=" + FsPath(r), "workdir=" + Path.Combine(dir, "work")])];
        }
        return parents.Count switch
        {
            0 => [new MountSpec("bind", FsPath(r), ["rbind", "ro"])],
            1 => [new MountSpec("bind", parents[0], ["rbind", "ro"])],
            // overlay with only lowerdirs is read-only by construction (overlayfs.rst "Multiple lower layers").
            _ => [new MountSpec("overlay", "overlay", ["ro", "lowerdir=" + string.Join(':', parents)])],
        };
    }

    private static SnapshotUsage Measure(string dir)
    {
        long size = 0, inodes = 0;
        var seen = new HashSet<(ulong, ulong)>();
        foreach (var path in Directory.EnumerateFileSystemEntries(dir, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false }))
        {
            var st = Lstat(path);
            if (!seen.Add((((ulong)st.DevMajor << 32) | st.DevMinor, st.Ino)))
            {
                continue;
            }
            inodes++;
            // Files and symlinks, not directories: moby's pkg/directory Size, which docker's layer
            // and container sizes (`docker images`, `ps -s`) are.
            if ((st.Mode & Libc.S_IFMT) is Libc.S_IFREG or Libc.S_IFLNK)
            {
                size += (long)st.Size;
            }
        }
        return new SnapshotUsage(size, inodes);
    }

    private static unsafe Libc.Statx Lstat(string path)
    {
        Libc.Statx st;
        Quai.Linux.LinuxException.ThrowIfError(Libc.StatxAt(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &st), "statx", path);
        return st;
    }

    /// <summary>How a change to the snapshot database is written.</summary>
    private enum Save
    {
        /// <summary>Nothing changed.</summary>
        No,

        /// <summary>
        /// Replaced atomically (rename) without fsync: the change to a container's own read-write
        /// snapshot, made and undone with every container (twice per `run --rm`). A power loss can
        /// at worst forget that change; a daemon crash cannot (the page cache survives it).
        /// </summary>
        Atomic,

        /// <summary>Replaced atomically and fsynced: committed layers and views, which images share.</summary>
        Durable,
    }

    private async Task<T> LockedAsync<T>(Func<SnapshotDatabase, (Save Save, T Result)> action, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var db = await _metadata.LoadAsync(cancellationToken).ConfigureAwait(false);
            var (save, result) = action(db);
            if (save != Save.No)
            {
                await _metadata.SaveAsync(db, durable: save == Save.Durable, cancellationToken).ConfigureAwait(false);
            }
            return result;
        }
        catch
        {
            _metadata.Forget();
            throw;
        }
        finally
        {
            _lock.Release();
        }
    }
}
