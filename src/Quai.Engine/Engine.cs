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
        // Shim sockets live at <exec-root>/shims/<32 hex>/shim.sock; unix(7) allows 107 bytes.
        var longest = Path.Combine(options.ShimsDir, new string('0', 32), "shim.sock");
        if (longest.Length > 107)
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, $"exec root {options.ExecRoot} is too long for the shims' unix sockets ({longest.Length} > 107 bytes): choose a shorter --exec-root");
        }
        Directory.CreateDirectory(options.DataRoot);
        Directory.CreateDirectory(options.ExecRoot);
        Events = new EventBus();
        Images = new ImageService(options, Events, loggers.CreateLogger("Quai.Engine.Images"));
        Volumes = new VolumeService(options.VolumesDir, Events);
        Networks = new Networks.NetworkService(options, Events, loggers.CreateLogger("Quai.Engine.Networks"));
        Containers = new ContainerService(options, Images, Images.Snapshots, Volumes, Networks, Events, loggers.CreateLogger("Quai.Engine.Containers"));
        Networks.Containers = Containers.All;
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

    /// <summary>Networks.</summary>
    public Networks.NetworkService Networks { get; }

    /// <summary>Containers.</summary>
    public ContainerService Containers { get; }

    /// <summary>Exec instances.</summary>
    public ExecService Exec { get; }

    /// <summary>When the engine started.</summary>
    public DateTimeOffset Started { get; }

    /// <summary>Finds the containers again after a daemon restart; call once before serving.</summary>
    public async Task InitializeAsync(CancellationToken ct)
    {
        await Networks.InitializeAsync(ct).ConfigureAwait(false);
        await Containers.RestoreAsync(ct).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Containers.Shutdown();
        Networks.Shutdown();
    }
}
