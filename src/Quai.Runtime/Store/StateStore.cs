using System.Text.Json;
using Quai.Linux;
using Quai.Linux.Interop;

namespace Quai.Runtime.Store;

/// <summary>
/// The runtime's state directory (--root): ROOT/ID/ holds config.json, state.json and, between
/// create and start, exec.fifo. Files are replaced by rename so a reader never sees half a file.
/// </summary>
public sealed class StateStore
{
    /// <summary>runc's default root for root users is /run/runc; ours is /run/quai-runtime.</summary>
    public const string DefaultRoot = "/run/quai-runtime";

    public StateStore(string root) => Root = Path.GetFullPath(root);

    /// <summary>The root directory.</summary>
    public string Root { get; }

    /// <summary>ROOT/ID.</summary>
    public string DirOf(string id) => Path.Combine(Root, id);

    /// <summary>ROOT/ID/exec.fifo.</summary>
    public string FifoOf(string id) => Path.Combine(Root, id, "exec.fifo");

    /// <summary>Throws unless <paramref name="id"/> matches ^[\w+.-]+$ (runc's rule; keeps ids out of path tricks).</summary>
    public static void ValidateId(string id)
    {
        // \w as Go's regexp has it, without pulling a regex engine into a 2 ms start.
        if (id.Length == 0 || id is "." or ".." || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '+' or '.' or '-'))
        {
            throw new RuntimeException($"invalid container id \"{id}\": use only letters, digits, '_', '+', '.' and '-'");
        }
    }

    /// <summary>Makes ROOT/ID (0700) for a new container; fails clearly when the id is taken.</summary>
    public string CreateContainerDir(string id)
    {
        ValidateId(id);
        Directory.CreateDirectory(Root);
        var dir = DirOf(id);
        if (Libc.Mkdir(dir, 0x1C0) == -1)
        {
            var ex = LinuxException.FromLastError("mkdir", dir);
            throw ex.Errno == Errnos.EEXIST
                ? new RuntimeException($"container with id \"{id}\" already exists: delete it first or choose another id")
                : new RuntimeException($"cannot create the state directory {dir}: {ex.Message}", ex);
        }
        return dir;
    }

    /// <summary>True when ROOT/ID exists.</summary>
    public bool Exists(string id) => Directory.Exists(DirOf(id));

    /// <summary>Loads ROOT/ID/state.json or fails with "container X does not exist".</summary>
    public ContainerRecord Load(string id)
    {
        ValidateId(id);
        var path = Path.Combine(DirOf(id), "state.json");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RuntimeException($"container \"{id}\" does not exist (no state under {Root})");
        }
        try
        {
            return RuntimeRecordJson.ParseRecord(bytes);
        }
        catch (JsonException e)
        {
            throw new RuntimeException($"state file {path} is invalid ({e.Message}): delete --force the container", e);
        }
    }

    /// <summary>Writes ROOT/ID/state.json atomically.</summary>
    public void Save(ContainerRecord record) =>
        WriteAtomic(Path.Combine(DirOf(record.Id), "state.json"), RuntimeRecordJson.Serialize(record));

    /// <summary>The ids of every container under the root, sorted.</summary>
    public IReadOnlyList<string> ListIds()
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }
        var ids = Directory.GetDirectories(Root).Select(Path.GetFileName).Where(n => n is not null && File.Exists(Path.Combine(Root, n, "state.json"))).Select(n => n!).ToList();
        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    /// <summary>Removes ROOT/ID and everything in it; nothing to do when it is gone already.</summary>
    public void Remove(string id)
    {
        var dir = DirOf(id);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Writes through a temporary file and rename(2), so readers see the old or the new file.</summary>
    public static void WriteAtomic(string path, ReadOnlySpan<byte> data)
    {
        var tmp = path + ".tmp";
        // 0600: ROOT/ID is searchable (0711) for a container with a user namespace, and the state
        // names the bundle and annotations; only root reads it.
        using (var stream = new FileStream(tmp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        {
            stream.Write(data);
        }
        File.Move(tmp, path, overwrite: true);
    }
}
