using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Quai.Engine.Events;
using Quai.Engine.Images;
using Quai.Engine.RuntimeCli;
using Quai.Engine.Volumes;
using Quai.Images.Snapshots;

namespace Quai.Engine.Containers;

/// <summary>
/// Containers: create, start, stop, wait, remove, inspect, list, logs, attach. Each running
/// container is a quai-shim process (its parent) plus an OCI runtime container; this service
/// starts them, watches them through the shim's socket, and applies restart policies.
/// </summary>
public sealed partial class ContainerService
{
    private readonly EngineOptions _options;
    private readonly ContainerStore _store;
    private readonly ImageService _images;
    private readonly OverlaySnapshotter _snapshots;
    private readonly VolumeService _volumes;
    private readonly Networks.NetworkService _networks;
    private readonly EventBus _events;
    private readonly ILogger _logger;
    private readonly string _initLayer;
    private readonly ConcurrentDictionary<string, RunState> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    /// <summary>
    /// Shims told an exit early (ShimClient.WaitEarlyAsync) and still running `runtime delete`: the
    /// container's id cannot be created again, nor its shim directory removed, until they finish.
    /// </summary>
    private readonly ConcurrentDictionary<string, Task> _finishing = new(StringComparer.Ordinal);

    /// <summary>Containers in a `docker restart`: their exit on the way is not an --rm removal.</summary>
    private readonly ConcurrentDictionary<string, bool> _restarting = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Lazy<Quai.Linux.ProcessExitWatcher> _exitWatcher = new(() => new Quai.Linux.ProcessExitWatcher());

    internal ContainerService(EngineOptions options, ImageService images, OverlaySnapshotter snapshots, VolumeService volumes, Networks.NetworkService networks, EventBus events, ILogger logger)
    {
        _options = options;
        _images = images;
        _snapshots = snapshots;
        _volumes = volumes;
        _networks = networks;
        _events = events;
        _logger = logger;
        _store = new ContainerStore(options.ContainersDir);
        Directory.CreateDirectory(options.ShimsDir);
        Directory.CreateDirectory(options.RuntimeRoot);
        _initLayer = InitLayer.Ensure(options.InitLayerDir);
        volumes.UsedBy = VolumeUsers;
    }

    /// <summary>The mounts of a container's root filesystem: its snapshot over the init layer.</summary>
    private async Task<IReadOnlyList<MountSpec>> RootfsMountsAsync(ContainerRecord c, CancellationToken ct) =>
        InitLayer.Apply(await _snapshots.MountsAsync(c.SnapshotKey, ct).ConfigureAwait(false), _initLayer);

    /// <summary>The layers under a container's writable layer, nearest first: the init layer (when it is mounted), then the image's.</summary>
    private async Task<IReadOnlyList<string>> LowerLayersAsync(ContainerRecord c, CancellationToken ct)
    {
        var parents = await _snapshots.ParentPathsAsync(c.SnapshotKey, ct).ConfigureAwait(false);
        return parents.Count == 0 ? parents : [_initLayer, .. parents];
    }

    /// <summary>Raised when a container is removed, for the services that keep per-container state (exec).</summary>
    public event Action<string>? Removed;

    /// <summary>All containers (for system df, image usage).</summary>
    public IReadOnlyList<ContainerRecord> All() => _store.All();

    /// <summary>A container by ID, ID prefix or name; 404 when absent.</summary>
    public ContainerRecord Get(string nameOrId) => _store.Get(nameOrId);

    /// <summary>The OCI runtime a container runs with.</summary>
    internal OciRuntime RuntimeOf(ContainerRecord c)
    {
        var path = _options.Runtimes.TryGetValue(c.Runtime, out var p) ? p : c.Runtime;
        return new OciRuntime(c.Runtime, path, _options.RuntimeRoot);
    }

    /// <summary>The shim state directory of a container.</summary>
    // 32 hex characters (128 bits) keep the socket path under sun_path's 108 bytes with a long exec root.
    internal string ShimDir(string id) => Path.Combine(_options.ShimsDir, id[..32]);

    /// <summary>Is the container's process alive now (per the engine's view)?</summary>
    internal bool IsRunning(ContainerRecord c) => _running.ContainsKey(c.Id) && c.State.IsRunning;

    private async Task<IDisposable> LockAsync(string id, CancellationToken ct)
    {
        var sem = _locks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        await sem.WaitAsync(ct).ConfigureAwait(false);
        return new Releaser(sem);
    }

    private sealed class Releaser(SemaphoreSlim sem) : IDisposable
    {
        public void Dispose() => sem.Release();
    }

    private void Publish(ContainerRecord c, string action, Dictionary<string, string>? extra = null)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["image"] = c.ImageName,
            ["name"] = c.Name,
        };
        foreach (var (k, v) in c.Config.Labels ?? [])
        {
            attributes.TryAdd(k, v);
        }
        foreach (var (k, v) in extra ?? [])
        {
            attributes[k] = v;
        }
        _events.Publish("container", action, c.Id, attributes);
    }

    private IReadOnlyList<string> VolumeUsers(string volume) =>
        [.. _store.All().Where(c => c.Mounts.Any(m => m.Type == "volume" && m.Name == volume)).Select(c => c.Id)];

    /// <summary>Image IDs in use by containers (for image removal checks).</summary>
    public IReadOnlyList<(string ContainerId, string ImageId, bool Running)> ImageUsers() =>
        [.. _store.All().Select(c => (c.Id, c.Image, c.State.IsRunning))];

    /// <summary>Stops watching containers (they keep running: they belong to their shims).</summary>
    public void Shutdown()
    {
        _shutdown.Cancel();
        if (_exitWatcher.IsValueCreated)
        {
            _exitWatcher.Value.Dispose();
        }
    }

    /// <summary>Waits (at most a minute: the shim gives `runtime delete` 30 s) until the container's last shim has finished.</summary>
    private async Task AwaitShimFinishedAsync(string id)
    {
        if (_finishing.TryGetValue(id, out var finishing))
        {
            await finishing.WaitAsync(TimeSpan.FromMinutes(1)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Per-run in-memory state of a running container.</summary>
    internal sealed class RunState
    {
        public required Quai.Shim.Client.ShimClient Shim { get; init; }

        /// <summary>Completes when this run's process exits (after the record is updated).</summary>
        public TaskCompletionSource<int> Exited { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Cancelled once the exit is handled: ends the early watch on the init's pid.</summary>
        public CancellationTokenSource ExitHandled { get; } = new();

        /// <summary>The shim's early wait, asked before `runtime start` (null: MonitorAsync asks).</summary>
        public Task<(Quai.Shim.Client.ExitStatus Status, Task Finished)>? Exit { get; set; }

        /// <summary>The network's release, started as soon as the init exited (beside the shim's runtime delete); null until then.</summary>
        public Task? NetworkRelease { get; set; }
    }
}
