using System.Text.Json.Serialization;
using Quai.Api.Models;

namespace Quai.Engine.Containers;

/// <summary>
/// A container as the engine keeps it (containers/&lt;id&gt;/container.json): what was asked for at
/// create, and the state the engine has observed. Docker's config.v2.json, in Docker's own shapes.
/// </summary>
public sealed class ContainerRecord
{
    /// <summary>64 hex characters.</summary>
    public string Id { get; set; } = "";

    /// <summary>The name without docker's leading slash.</summary>
    public string Name { get; set; } = "";

    /// <summary>When create finished.</summary>
    public DateTimeOffset Created { get; set; }

    /// <summary>The image ID (sha256:…).</summary>
    public string Image { get; set; } = "";

    /// <summary>The image as the user named it ("busybox").</summary>
    public string ImageName { get; set; } = "";

    /// <summary>The container config as merged with the image's (what inspect shows as Config).</summary>
    public ContainerConfig Config { get; set; } = new();

    /// <summary>The host config as given (defaults filled).</summary>
    public HostConfig HostConfig { get; set; } = new();

    /// <summary>The networking config asked for at create.</summary>
    public NetworkingConfig? NetworkingConfig { get; set; }

    /// <summary>The observed state.</summary>
    public ContainerRuntimeState State { get; set; } = new();

    /// <summary>The mounts made at create (binds, volumes, tmpfs), as inspect shows them.</summary>
    public List<MountPoint> Mounts { get; set; } = [];

    /// <summary>The OCI runtime's name ("quai", "runc", ...).</summary>
    public string Runtime { get; set; } = "quai";

    /// <summary>The overlay snapshot key of the container's writable layer.</summary>
    public string SnapshotKey { get; set; } = "";

    /// <summary>How many times a restart policy restarted the container.</summary>
    public int RestartCount { get; set; }

    /// <summary>Set by `stop`/`kill` by the user: unless-stopped and always then keep it stopped.</summary>
    public bool ManuallyStopped { get; set; }

    /// <summary>Whether the container ever started (docker's HasBeenStartedBefore).</summary>
    public bool StartedBefore { get; set; }

    /// <summary>Network state (addresses, ports) as inspect shows it.</summary>
    public NetworkSettings? NetworkSettings { get; set; }

    /// <summary>The json-file log path ("" with log driver none).</summary>
    public string LogPath { get; set; } = "";

    /// <summary>Files bind-mounted over /etc/hostname, /etc/hosts, /etc/resolv.conf.</summary>
    public string HostnamePath { get; set; } = "";

    /// <summary>See <see cref="HostnamePath"/>.</summary>
    public string HostsPath { get; set; } = "";

    /// <summary>See <see cref="HostnamePath"/>.</summary>
    public string ResolvConfPath { get; set; } = "";

    /// <summary>The process args as docker reports them (Path + Args).</summary>
    public List<string> Command { get; set; } = [];

    /// <summary>The short form used in `docker ps` names and logs.</summary>
    [JsonIgnore]
    public string ShortId => Id[..12];
}

/// <summary>The lifecycle state docker reports in State and `ps` STATUS.</summary>
public sealed class ContainerRuntimeState
{
    /// <summary>created, running, paused, restarting, removing, exited, dead.</summary>
    public string Status { get; set; } = "created";

    /// <summary>The container's init pid while running.</summary>
    public int Pid { get; set; }

    /// <summary>The last exit code.</summary>
    public int ExitCode { get; set; }

    /// <summary>Why the last start failed.</summary>
    public string Error { get; set; } = "";

    /// <summary>Whether the last exit was an OOM kill.</summary>
    public bool OomKilled { get; set; }

    /// <summary>When the container last started.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When the container last exited.</summary>
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Health check state, when the container has a health check.</summary>
    public Health? Health { get; set; }

    /// <summary>Running or paused.</summary>
    [JsonIgnore]
    public bool IsRunning => Status is "running" or "paused" or "restarting" && Pid > 0;
}
