using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Quai.Api.Models;
using Quai.Engine.Events;
using Quai.Engine.Store;

namespace Quai.Engine.Volumes;

/// <summary>
/// Named and anonymous volumes with the local driver: `&lt;data-root&gt;/volumes/NAME/_data`, the
/// Mountpoint that `docker volume inspect` shows. Which containers use a volume is asked of the
/// container service through <see cref="UsedBy"/>.
/// </summary>
public sealed partial class VolumeService
{
    /// <summary>docker's label on anonymous volumes (moby volume/service: AnonymousLabel).</summary>
    public const string AnonymousLabel = "com.docker.volume.anonymous";

    private readonly string _root;
    private readonly EventBus _events;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, VolumeRecord> _volumes = new(StringComparer.Ordinal);

    /// <summary>Loads the volumes under <paramref name="root"/>.</summary>
    public VolumeService(string root, EventBus events)
    {
        _root = root;
        _events = events;
        Directory.CreateDirectory(root);
        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            var record = JsonFile.Read(Path.Combine(dir, "volume.json"), EngineJsonContext.Default.VolumeRecord);
            if (record is not null && Directory.Exists(Path.Combine(dir, "_data")))
            {
                _volumes[record.Name] = record;
            }
        }
    }

    /// <summary>Names of containers using a volume (set by the engine).</summary>
    public Func<string, IReadOnlyList<string>> UsedBy { get; set; } = _ => [];

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")]
    private static partial Regex ValidName();

    /// <summary>The directory a volume's data lives in.</summary>
    public string DataPath(string name) => Path.Combine(_root, name, "_data");

    /// <summary>Creates a volume, or returns the existing one of that name (docker's create is idempotent).</summary>
    public Volume Create(string? name, string? driver, IReadOnlyDictionary<string, string>? labels, IReadOnlyDictionary<string, string>? options, bool anonymous = false)
    {
        if (driver is { Length: > 0 } and not "local")
        {
            throw new EngineException(EngineErrorKind.NotFound, $"error looking up volume plugin {driver}: plugin \"{driver}\" not found");
        }
        if (options is { Count: > 0 })
        {
            var unknown = options.Keys.Where(k => k is not ("type" or "device" or "o" or "size")).ToList();
            if (unknown.Count > 0)
            {
                throw EngineException.Invalid($"invalid option key: \"{unknown[0]}\"");
            }
            if (options.ContainsKey("type") || options.ContainsKey("device"))
            {
                throw EngineException.Invalid("the local volume driver's type/device options (mounting a filesystem as a volume) are not supported by Quai yet; create a volume without --opt");
            }
        }
        if (string.IsNullOrEmpty(name))
        {
            name = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            anonymous = true;
        }
        else if (!ValidName().IsMatch(name))
        {
            throw EngineException.Invalid($"create {name}: \"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path");
        }
        lock (_gate)
        {
            if (_volumes.TryGetValue(name, out var existing))
            {
                return ToApi(existing);
            }
            var record = new VolumeRecord
            {
                Name = name,
                CreatedAt = DateTimeOffset.UtcNow,
                Labels = labels is null ? [] : new Dictionary<string, string>(labels),
                Options = options is null ? [] : new Dictionary<string, string>(options),
                Anonymous = anonymous,
            };
            if (anonymous && !record.Labels.ContainsKey(AnonymousLabel))
            {
                record.Labels[AnonymousLabel] = "";
            }
            var dir = Path.Combine(_root, name);
            Directory.CreateDirectory(Path.Combine(dir, "_data"));
            JsonFile.Write(Path.Combine(dir, "volume.json"), record, EngineJsonContext.Default.VolumeRecord);
            _volumes[name] = record;
            _events.Publish("volume", "create", name, new Dictionary<string, string> { ["driver"] = "local" });
            return ToApi(record);
        }
    }

    /// <summary>The volume named <paramref name="name"/>, or null.</summary>
    public VolumeRecord? Find(string name)
    {
        lock (_gate)
        {
            return _volumes.GetValueOrDefault(name);
        }
    }

    /// <summary>Inspect data.</summary>
    public Volume Inspect(string name) => ToApi(Find(name) ?? throw new EngineException(EngineErrorKind.NotFound, $"get {name}: no such volume"));

    /// <summary>All volumes matching docker's filters (name, label, driver, dangling).</summary>
    public IReadOnlyList<Volume> List(Filters filters)
    {
        List<VolumeRecord> all;
        lock (_gate)
        {
            all = [.. _volumes.Values];
        }
        filters.Validate("name", "label", "driver", "dangling");
        return [.. all.Where(v => Matches(v, filters)).OrderBy(v => v.Name, StringComparer.Ordinal).Select(ToApi)];
    }

    private bool Matches(VolumeRecord v, Filters filters)
    {
        if (!filters.MatchSubstring("name", v.Name) || !filters.MatchExact("driver", v.Driver) || !filters.MatchLabels(v.Labels))
        {
            return false;
        }
        if (filters.Get("dangling") is { Count: > 0 } d)
        {
            var dangling = d[0] is "true" or "1";
            return dangling == (UsedBy(v.Name).Count == 0);
        }
        return true;
    }

    /// <summary>Removes a volume; refuses one in use unless <paramref name="force"/> (which docker also refuses for in-use volumes).</summary>
    public void Remove(string name, bool force)
    {
        lock (_gate)
        {
            if (!_volumes.ContainsKey(name))
            {
                if (force)
                {
                    return;
                }
                throw new EngineException(EngineErrorKind.NotFound, $"get {name}: no such volume");
            }
            var users = UsedBy(name);
            if (users.Count > 0)
            {
                throw EngineException.Conflict($"remove {name}: volume is in use - [{string.Join(", ", users)}]");
            }
            var dir = Path.Combine(_root, name);
            var trash = Path.Combine(_root, "." + name + ".removing");
            Directory.Move(dir, trash);
            _volumes.Remove(name);
            Directory.Delete(trash, recursive: true);
            _events.Publish("volume", "destroy", name, new Dictionary<string, string> { ["driver"] = "local" });
        }
    }

    /// <summary>Removes unused volumes: anonymous ones, or all unused with filter all=true (API ≥ 1.42).</summary>
    public VolumePruneResponse Prune(Filters filters)
    {
        filters.Validate("label", "all", "label!");
        var all = filters.Get("all") is { Count: > 0 } a && a[0] is "true" or "1";
        List<VolumeRecord> candidates;
        lock (_gate)
        {
            candidates = [.. _volumes.Values];
        }
        var deleted = new List<string>();
        long reclaimed = 0;
        foreach (var v in candidates)
        {
            if ((!all && !v.Anonymous) || !filters.MatchLabels(v.Labels) || UsedBy(v.Name).Count > 0)
            {
                continue;
            }
            var size = DirectorySize(DataPath(v.Name));
            try
            {
                Remove(v.Name, force: false);
                deleted.Add(v.Name);
                reclaimed += size;
            }
            catch (EngineException)
            {
                // Became used between the check and the removal: keep it.
            }
        }
        return new VolumePruneResponse { VolumesDeleted = deleted, SpaceReclaimed = reclaimed };
    }

    /// <summary>Disk usage of a volume's data, in bytes (for system df).</summary>
    public static long DirectorySize(string path)
    {
        long total = 0;
        try
        {
            foreach (var f in new DirectoryInfo(path).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }))
            {
                if (f.LinkTarget is null)
                {
                    total += f.Length;
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
        }
        return total;
    }

    /// <summary>Volumes for system df, with usage.</summary>
    public IReadOnlyList<Volume> ListWithUsage()
    {
        List<VolumeRecord> all;
        lock (_gate)
        {
            all = [.. _volumes.Values];
        }
        return [.. all.Select(v =>
        {
            var api = ToApi(v);
            api.UsageData = new VolumeUsageData { Size = DirectorySize(DataPath(v.Name)), RefCount = UsedBy(v.Name).Count };
            return api;
        })];
    }

    private Volume ToApi(VolumeRecord v) => new()
    {
        Name = v.Name,
        Driver = v.Driver,
        Mountpoint = DataPath(v.Name),
        // Go's time.RFC3339 of a UTC time, as dockerd's local driver: "2026-12-08T01:35:50Z".
        CreatedAt = v.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        Labels = v.Labels,
        Options = v.Options,
        Scope = "local",
        Status = null,
        UsageData = null,
    };
}
