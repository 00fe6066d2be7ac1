using Quai.Engine.Store;

namespace Quai.Engine.Containers;

/// <summary>
/// The engine's containers: in memory for lookups, each persisted to containers/&lt;id&gt;/container.json
/// (replaced atomically) on every change. Names and IDs are unique; lookups accept a full ID, a
/// unique ID prefix, or a name (with or without docker's leading slash).
/// </summary>
internal sealed class ContainerStore
{
    private readonly string _root;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ContainerRecord> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _byName = new(StringComparer.Ordinal);

    // Names held by creates in progress (name → the new container's id), until Add or ReleaseName.
    private readonly Dictionary<string, string> _reserved = new(StringComparer.Ordinal);

    public ContainerStore(string root)
    {
        _root = root;
        Directory.CreateDirectory(root);
        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            var record = JsonFile.Read(Path.Combine(dir, "container.json"), EngineJsonContext.Default.ContainerRecord);
            if (record is not null)
            {
                _byId[record.Id] = record;
                _byName[record.Name] = record.Id;
            }
        }
    }

    public string Dir(string id) => Path.Combine(_root, id);

    public IReadOnlyList<ContainerRecord> All()
    {
        lock (_gate)
        {
            return [.. _byId.Values];
        }
    }

    /// <summary>Reserves the name (and ID) and persists the record; a taken name is docker's 409.</summary>
    public void Add(ContainerRecord record)
    {
        lock (_gate)
        {
            if (_byName.TryGetValue(record.Name, out var other) || (_reserved.TryGetValue(record.Name, out other) && other != record.Id))
            {
                throw EngineException.Conflict($"Conflict. The container name \"/{record.Name}\" is already in use by container \"{other}\". You have to remove (or rename) that container to be able to reuse that name.");
            }
            _reserved.Remove(record.Name);
            _byId[record.Id] = record;
            _byName[record.Name] = record.Id;
        }
        // An --rm container that a power loss forgets is one docker would have removed at restart.
        Save(record, durable: record.HostConfig.AutoRemove != true);
    }

    public bool NameTaken(string name)
    {
        lock (_gate)
        {
            return _byName.ContainsKey(name) || _reserved.ContainsKey(name);
        }
    }

    /// <summary>Holds <paramref name="name"/> for container <paramref name="id"/> being created; false when taken or held.</summary>
    public bool TryReserveName(string name, string id)
    {
        lock (_gate)
        {
            return !_byName.ContainsKey(name) && _reserved.TryAdd(name, id);
        }
    }

    /// <summary>The id of the create holding <paramref name="name"/>, or null.</summary>
    public string? ReservedBy(string name)
    {
        lock (_gate)
        {
            return _reserved.GetValueOrDefault(name);
        }
    }

    /// <summary>Drops the hold of <paramref name="id"/> on <paramref name="name"/> (after Add, or when the create failed).</summary>
    public void ReleaseName(string name, string id)
    {
        lock (_gate)
        {
            if (_reserved.TryGetValue(name, out var holder) && holder == id)
            {
                _reserved.Remove(name);
            }
        }
    }

    public void Rename(ContainerRecord record, string newName)
    {
        lock (_gate)
        {
            if (_byName.TryGetValue(newName, out var other) || _reserved.TryGetValue(newName, out other))
            {
                throw EngineException.Conflict($"Error when allocating new name: Conflict. The container name \"/{newName}\" is already in use by container \"{other}\". You have to remove (or rename) that container to be able to reuse that name.");
            }
            _byName.Remove(record.Name);
            record.Name = newName;
            _byName[newName] = record.Id;
        }
        Save(record);
    }

    /// <summary>
    /// Persists the record. <paramref name="durable"/>: false for the run-state changes of start and
    /// exit, which RestoreAsync rebuilds from the shims (and which no power loss leaves true anyway).
    /// </summary>
    public void Save(ContainerRecord record, bool durable = true)
    {
        lock (record)
        {
            JsonFile.Write(Path.Combine(Dir(record.Id), "container.json"), record, EngineJsonContext.Default.ContainerRecord, durable);
        }
    }

    public void Remove(ContainerRecord record)
    {
        lock (_gate)
        {
            _byId.Remove(record.Id);
            _byName.Remove(record.Name);
        }
    }

    public ContainerRecord? Find(string nameOrId)
    {
        var key = nameOrId.StartsWith('/') ? nameOrId[1..] : nameOrId;
        lock (_gate)
        {
            if (_byId.TryGetValue(key, out var byId))
            {
                return byId;
            }
            if (_byName.TryGetValue(key, out var id))
            {
                return _byId[id];
            }
            if (key.Length == 0)
            {
                return null;
            }
            ContainerRecord? match = null;
            foreach (var (cid, c) in _byId)
            {
                if (cid.StartsWith(key, StringComparison.Ordinal))
                {
                    if (match is not null)
                    {
                        throw EngineException.Invalid($"multiple IDs found with provided prefix: {key}");
                    }
                    match = c;
                }
            }
            return match;
        }
    }

    public ContainerRecord Get(string nameOrId) => Find(nameOrId) ?? throw EngineException.NoSuchContainer(nameOrId);
}
