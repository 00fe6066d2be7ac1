using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Quai.Runtime.Cgroups;

/// <summary>
/// What the cgroup managers read from the host: /proc/self/mountinfo, /proc/self/cgroup, whether
/// systemd runs, and where the cgroup mounts live. Tests point it at a fake cgroupfs tree.
/// </summary>
public sealed class CgroupEnvironment
{
    /// <summary>The standard place for cgroup mounts (hier(7)).</summary>
    public const string DefaultRoot = "/sys/fs/cgroup";

    /// <summary>Text of /proc/self/mountinfo (proc(5)).</summary>
    public required string MountInfo { get; init; }

    /// <summary>Text of /proc/self/cgroup (cgroups(7), "/proc/[pid]/cgroup").</summary>
    public required string SelfCgroup { get; init; }

    /// <summary>
    /// Where the mount points under <see cref="DefaultRoot"/> in <see cref="MountInfo"/> really are:
    /// a mount at /sys/fs/cgroup/memory is used as <c>Root + "/memory"</c>. Default /sys/fs/cgroup.
    /// </summary>
    public string Root { get; init; } = DefaultRoot;

    /// <summary>True when systemd is the init system (sd_booted(3): /run/systemd/system exists).</summary>
    public bool SystemdRunning { get; init; }

    /// <summary>How long Freeze, Thaw and Destroy wait for the kernel to settle.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Receives debug notes (skipped controllers) and warnings (ignored settings).</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>The environment of the calling process.</summary>
    public static CgroupEnvironment FromHost(ILogger? logger = null) => new()
    {
        MountInfo = File.ReadAllText("/proc/self/mountinfo"),
        SelfCgroup = File.ReadAllText("/proc/self/cgroup"),
        SystemdRunning = Directory.Exists("/run/systemd/system"),
        Logger = logger ?? NullLogger.Instance,
    };

    /// <summary>Maps a mount point from <see cref="MountInfo"/> onto <see cref="Root"/>.</summary>
    internal string MapMountPoint(string mountPoint)
    {
        if (Root == DefaultRoot)
        {
            return mountPoint;
        }
        if (mountPoint == DefaultRoot)
        {
            return Root;
        }
        return mountPoint.StartsWith(DefaultRoot + "/", StringComparison.Ordinal)
            ? Root + mountPoint[DefaultRoot.Length..]
            : mountPoint;
    }
}
