using Quai.Images.Snapshots;

namespace Quai.Engine.Containers;

/// <summary>
/// The layer between a container's image and its writable layer, as dockerd's "-init" layer
/// (moby daemon/initlayer): the mount points the runtime mounts or binds over (/proc, /sys,
/// /dev, /dev/pts, /dev/shm, /dev/console, /etc/hostname, /etc/hosts, /etc/resolv.conf), plus
/// /etc/mtab → /proc/mounts and /.dockerenv. With it the runtime finds its mount points in place
/// and makes nothing in the container's own layer, so `docker diff` and `docker commit` hold
/// only what the container changed (without it every container showed "A /etc/hostname", and a
/// committed image carried empty /etc/hosts files); `docker export` shows the init layer's
/// entries, as dockerd's does.
/// The content is the same for every container, so one directory under the data root serves
/// them all, as the top lower layer of each container's overlay: it costs nothing per container.
/// </summary>
internal static class InitLayer
{
    private const UnixFileMode Mode0755 =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>moby's list (initlayer/setup_unix.go): a directory, an empty file (mode 0755 as there), or a symlink.</summary>
    private static readonly (string Path, char Kind, string? Target)[] Entries =
    [
        ("dev/pts", 'd', null),
        ("dev/shm", 'd', null),
        ("proc", 'd', null),
        ("sys", 'd', null),
        (".dockerenv", 'f', null),
        ("etc/resolv.conf", 'f', null),
        ("etc/hosts", 'f', null),
        ("etc/hostname", 'f', null),
        ("dev/console", 'f', null),
        ("etc/mtab", 'l', "/proc/mounts"),
    ];

    /// <summary>
    /// Makes (or completes) the init layer at <paramref name="directory"/> and returns it. An
    /// entry of the wrong kind (a hand edit) is replaced; nothing else in the directory is touched.
    /// </summary>
    public static string Ensure(string directory)
    {
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, Mode0755);
        foreach (var (path, kind, target) in Entries)
        {
            var full = Path.Combine(directory, path);
            var parent = Path.GetDirectoryName(full)!;
            if (!Directory.Exists(parent))
            {
                Directory.CreateDirectory(parent, Mode0755);
            }
            var info = new FileInfo(full);
            var present = info.Exists || Directory.Exists(full) || info.LinkTarget is not null;
            var right = kind switch
            {
                'd' => Directory.Exists(full) && info.LinkTarget is null,
                'f' => info.Exists && info.LinkTarget is null && info.Length == 0,
                _ => info.LinkTarget == target,
            };
            if (right)
            {
                continue;
            }
            if (present)
            {
                if (Directory.Exists(full) && info.LinkTarget is null)
                {
                    Directory.Delete(full, recursive: true);
                }
                else
                {
                    File.Delete(full);
                }
            }
            switch (kind)
            {
                case 'd':
                    Directory.CreateDirectory(full, Mode0755);
                    break;
                case 'f':
                    using (File.Create(full))
                    {
                    }
                    File.SetUnixFileMode(full, Mode0755);
                    break;
                default:
                    File.CreateSymbolicLink(full, target!);
                    break;
            }
        }
        return directory;
    }

    /// <summary>
    /// <paramref name="mounts"/> with <paramref name="layer"/> as the top lower layer of the
    /// writable overlay. A snapshot on an image without layers is a bind mount of its own
    /// directory, which has no lower layer to add: it stays as it is, and the runtime makes the
    /// mount points it needs in it.
    /// </summary>
    public static IReadOnlyList<MountSpec> Apply(IReadOnlyList<MountSpec> mounts, string layer) =>
        [.. mounts.Select(m => m.Type == "overlay" && m.Options.Any(o => o.StartsWith("upperdir=", StringComparison.Ordinal))
            ? m with { Options = [.. m.Options.Select(o => o.StartsWith("lowerdir=", StringComparison.Ordinal) ? "lowerdir=" + layer + ":" + o["lowerdir=".Length..] : o)] }
            : m)];
}
