using Microsoft.Extensions.Logging;

namespace Quai.Runtime.Cgroups;

/// <summary>Source-generated log messages of the cgroup managers (STYLE.md §8), event ids 2100-2199.</summary>
internal static partial class CgroupLog
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Debug, Message = "cgroup write {Path} = \"{Value}\"")]
    public static partial void Wrote(ILogger logger, string path, string value);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Debug, Message = "cgroup controller {Controller} is not available on this host; nothing asked of it, skipped")]
    public static partial void ControllerSkipped(ILogger logger, string controller);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "cgroup setting {Setting} ignored: {Reason}")]
    public static partial void SettingIgnored(ILogger logger, string setting, string reason);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Debug, Message = "cannot enable controller {Controller} in {Path}: {Reason}")]
    public static partial void EnableFailed(ILogger logger, string controller, string path, string reason);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Debug, Message = "cgroup mkdir {Path}")]
    public static partial void Created(ILogger logger, string path);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Debug, Message = "cgroup rmdir {Path}")]
    public static partial void Removed(ILogger logger, string path);
}
