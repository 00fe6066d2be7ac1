using Microsoft.Extensions.Logging;
using Quai.Engine.Containers;
using Quai.Engine.Events;
using Quai.Engine.Exec;
using Quai.Engine.Images;
using Quai.Engine.Volumes;

namespace Quai.Engine;

/// <summary>
/// The daemon's model, composed: images, containers, exec, volumes and events over one data root.
/// The API layer (Quai.Api) maps HTTP onto these services; nothing here knows HTTP.
/// </summary>
public sealed class Engine : IDisposable
{
    /// <summary>Opens (or creates) the engine state under the options' data and exec roots.</summary>
    public Engine(EngineOptions options, ILoggerFactory loggers)
    {
        Options = options;
        Directory.CreateDirectory(options.DataRoot);
        Directory.CreateDirectory(options.ExecRoot);
        Events = new EventBus();
        Images = new ImageService(options, Events);
        Volumes = new VolumeService(options.VolumesDir, Events);
        Containers = new ContainerService(options, Images, Images.Snapshots, Volumes, Events, loggers.CreateLogger("Quai.Engine.Containers"));
        Exec = new ExecService(options, Containers, Events);
        Images.Users = Containers.ImageUsers;
        Containers.HealthProbe = Exec.RunAsync;
        Started = DateTimeOffset.UtcNow;
    }

    /// <summary>The configuration.</summary>
    public EngineOptions Options { get; }

    /// <summary>The event stream.</summary>
    public EventBus Events { get; }

    /// <summary>Images.</summary>
    public ImageService Images { get; }

    /// <summary>Volumes.</summary>
    public VolumeService Volumes { get; }

    /// <summary>Containers.</summary>
    public ContainerService Containers { get; }

    /// <summary>Exec instances.</summary>
    public ExecService Exec { get; }

    /// <summary>When the engine started.</summary>
    public DateTimeOffset Started { get; }

    /// <summary>Finds the containers again after a daemon restart; call once before serving.</summary>
    public Task InitializeAsync(CancellationToken ct) => Containers.RestoreAsync(ct);

    /// <inheritdoc/>
    public void Dispose() => Containers.Shutdown();
}
