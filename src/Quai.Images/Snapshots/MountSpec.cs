using Quai.Linux;
using Quai.Linux.Interop;

namespace Quai.Images.Snapshots;

/// <summary>
/// One mount, as data (containerd core/mount.Mount): what the runtime puts in config.json's
/// mounts or what <see cref="MountAt"/> does with mount(2).
/// </summary>
/// <param name="Type">"overlay" or "bind".</param>
/// <param name="Source">"overlay" or the directory to bind.</param>
/// <param name="Options">mount options: "ro", "rbind", "lowerdir=…", "upperdir=…", "workdir=…".</param>
public sealed record MountSpec(string Type, string Source, IReadOnlyList<string> Options)
{
    private const ulong MS_RDONLY = 0x1;
    private const ulong MS_REMOUNT = 0x20;
    private const ulong MS_BIND = 0x1000;
    private const ulong MS_REC = 0x4000;
    private const int MNT_DETACH = 0x2;

    /// <summary>True when the mount is read-only.</summary>
    public bool ReadOnly => Options.Contains("ro");

    /// <summary>Mounts this at <paramref name="target"/> with mount(2) (root only).</summary>
    public void MountAt(string target)
    {
        if (Type == "bind")
        {
            var flags = MS_BIND | (Options.Contains("rbind") ? MS_REC : 0);
            LinuxException.ThrowIfError(Libc.Mount(Source, target, null, flags, null), "mount", target);
            if (ReadOnly)
            {
                // A bind mount ignores MS_RDONLY on creation; it takes a remount (mount(2) "MS_BIND").
                LinuxException.ThrowIfError(Libc.Mount(null, target, null, MS_REMOUNT | MS_BIND | MS_RDONLY | (flags & MS_REC), null), "mount", target);
            }
            return;
        }
        var data = string.Join(',', Options.Where(o => o != "ro"));
        LinuxException.ThrowIfError(Libc.Mount(Source, target, Type, ReadOnly ? MS_RDONLY : 0, data), "mount", target);
    }

    /// <summary>Unmounts <paramref name="target"/> (lazily, so a busy mount does not leak).</summary>
    public static void Unmount(string target) =>
        LinuxException.ThrowIfError(Libc.Umount2(target, MNT_DETACH), "umount2", target);
}
