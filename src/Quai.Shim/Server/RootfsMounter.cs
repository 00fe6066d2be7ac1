using System.Text.Json;
using Quai.Linux;

namespace Quai.Shim.Server;

/// <summary>
/// Mounts a container's snapshot on &lt;bundle&gt;/rootfs before `runtime create` and unmounts it after
/// `runtime delete` (containerd's mount.All / mount.UnmountAll on the same target).
/// </summary>
internal static class RootfsMounter
{
    private static readonly Dictionary<string, (ulong Set, ulong Clear)> Flags = new(StringComparer.Ordinal)
    {
        ["ro"] = (MountFlags.MS_RDONLY, 0),
        ["rw"] = (0, MountFlags.MS_RDONLY),
        ["nosuid"] = (MountFlags.MS_NOSUID, 0),
        ["suid"] = (0, MountFlags.MS_NOSUID),
        ["nodev"] = (MountFlags.MS_NODEV, 0),
        ["dev"] = (0, MountFlags.MS_NODEV),
        ["noexec"] = (MountFlags.MS_NOEXEC, 0),
        ["exec"] = (0, MountFlags.MS_NOEXEC),
        ["sync"] = (MountFlags.MS_SYNCHRONOUS, 0),
        ["async"] = (0, MountFlags.MS_SYNCHRONOUS),
        ["noatime"] = (MountFlags.MS_NOATIME, 0),
        ["nodiratime"] = (MountFlags.MS_NODIRATIME, 0),
        ["relatime"] = (MountFlags.MS_RELATIME, 0),
        ["strictatime"] = (MountFlags.MS_STRICTATIME, 0),
        ["bind"] = (MountFlags.MS_BIND, 0),
        ["rbind"] = (MountFlags.MS_BIND | MountFlags.MS_REC, 0),
    };

    /// <summary>Reads the JSON array of mounts quaid wrote.</summary>
    public static RootfsMount[] Load(string file)
    {
        try
        {
            return ShimWire.ReadMounts(File.ReadAllBytes(file));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"rootfs mounts file {file} is not a JSON array of {{\"type\",\"source\",\"options\"}}: {e.Message}", e);
        }
    }

    /// <summary>Mounts each of <paramref name="mounts"/> on <paramref name="target"/> in order; returns how many were mounted. Undoes them on failure.</summary>
    public static int MountAll(IReadOnlyList<RootfsMount> mounts, string target)
    {
        Directory.CreateDirectory(target);
        var done = 0;
        try
        {
            foreach (var m in mounts)
            {
                var (flags, data) = Parse(m.Options);
                var isBind = (flags & MountFlags.MS_BIND) != 0 || m.Type == "bind";
                if (isBind)
                {
                    // A bind ignores MS_RDONLY and the like on the first call: remount to apply them (mount(2)).
                    Mounts.Mount(m.Source, target, null, MountFlags.MS_BIND | (flags & MountFlags.MS_REC));
                    done++;
                    var rest = flags & ~(MountFlags.MS_BIND | MountFlags.MS_REC);
                    if (rest != 0)
                    {
                        Mounts.Mount(null, target, null, MountFlags.MS_BIND | MountFlags.MS_REMOUNT | rest);
                    }
                }
                else
                {
                    Mounts.Mount(m.Source, target, m.Type, flags, data);
                    done++;
                }
            }
            return done;
        }
        catch
        {
            UnmountAll(target, done);
            throw;
        }
    }

    /// <summary>Unmounts the top <paramref name="count"/> mounts at <paramref name="target"/> (MNT_DETACH when busy); returns an error text or null.</summary>
    public static string? UnmountAll(string target, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (Quai.Linux.Interop.Libc.Umount2(target, 0) == 0)
            {
                continue;
            }
            var errno = Mounts.TryDetach(target);
            if (errno != 0)
            {
                return new LinuxException("umount2", errno, target).Message;
            }
        }
        return null;
    }

    private static (ulong Flags, string Data) Parse(IReadOnlyList<string> options)
    {
        ulong flags = 0;
        var data = new List<string>();
        foreach (var o in options)
        {
            if (Flags.TryGetValue(o, out var f))
            {
                flags = (flags | f.Set) & ~f.Clear;
            }
            else
            {
                data.Add(o);
            }
        }
        return (flags, string.Join(',', data));
    }
}
