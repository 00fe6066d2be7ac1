using static Quai.Linux.MountFlags;

namespace Quai.Runtime.Rootfs;

/// <summary>
/// The options of one config.json mount, split into what mount(2) needs: flags to set, flags
/// to clear, propagation changes (each a separate mount(2) call after the mount), filesystem
/// data (e.g. <c>size=65536k,mode=755</c>) and runtime extensions (tmpcopyup). Option names
/// are mount(8)'s, as config.md#mounts asks.
/// </summary>
public sealed record MountOptions
{
    /// <summary>MS_* flags to set.</summary>
    public ulong Flags { get; init; }

    /// <summary>MS_* flags the options clear (e.g. "rw" clears MS_RDONLY, "suid" clears MS_NOSUID).</summary>
    public ulong ClearFlags { get; init; }

    /// <summary>Propagation changes in order, each MS_SHARED/SLAVE/PRIVATE/UNBINDABLE, possibly | MS_REC.</summary>
    public IReadOnlyList<ulong> PropagationFlags { get; init; } = [];

    /// <summary>Comma-joined filesystem-specific options passed as mount(2) data.</summary>
    public string Data { get; init; } = "";

    /// <summary>True for "bind" or "rbind".</summary>
    public bool Bind => (Flags & MS_BIND) != 0;

    /// <summary>True for "rbind": submounts of the source come along (MS_BIND|MS_REC).</summary>
    public bool RecursiveBind => (Flags & (MS_BIND | MS_REC)) == (MS_BIND | MS_REC);

    /// <summary>"tmpcopyup": copy the destination's existing contents into the new tmpfs (runc extension).</summary>
    public bool TmpCopyUp { get; init; }

    private static readonly Dictionary<string, (bool Clear, ulong Flag)> FlagOptions = new(StringComparer.Ordinal)
    {
        ["defaults"] = (false, 0),
        ["ro"] = (false, MS_RDONLY),
        ["rw"] = (true, MS_RDONLY),
        ["suid"] = (true, MS_NOSUID),
        ["nosuid"] = (false, MS_NOSUID),
        ["dev"] = (true, MS_NODEV),
        ["nodev"] = (false, MS_NODEV),
        ["exec"] = (true, MS_NOEXEC),
        ["noexec"] = (false, MS_NOEXEC),
        ["sync"] = (false, MS_SYNCHRONOUS),
        ["async"] = (true, MS_SYNCHRONOUS),
        ["dirsync"] = (false, MS_DIRSYNC),
        ["remount"] = (false, MS_REMOUNT),
        ["mand"] = (false, MS_MANDLOCK),
        ["nomand"] = (true, MS_MANDLOCK),
        ["atime"] = (true, MS_NOATIME),
        ["noatime"] = (false, MS_NOATIME),
        ["diratime"] = (true, MS_NODIRATIME),
        ["nodiratime"] = (false, MS_NODIRATIME),
        ["relatime"] = (false, MS_RELATIME),
        ["norelatime"] = (true, MS_RELATIME),
        ["strictatime"] = (false, MS_STRICTATIME),
        ["nostrictatime"] = (true, MS_STRICTATIME),
        ["lazytime"] = (false, MS_LAZYTIME),
        ["nolazytime"] = (true, MS_LAZYTIME),
        ["iversion"] = (false, MS_IVERSION),
        ["noiversion"] = (true, MS_IVERSION),
        ["silent"] = (false, MS_SILENT),
        ["loud"] = (true, MS_SILENT),
        ["nosymfollow"] = (false, MS_NOSYMFOLLOW),
        ["symfollow"] = (true, MS_NOSYMFOLLOW),
        ["bind"] = (false, MS_BIND),
        ["rbind"] = (false, MS_BIND | MS_REC),
    };

    private static readonly Dictionary<string, ulong> Propagations = new(StringComparer.Ordinal)
    {
        ["private"] = MS_PRIVATE,
        ["rprivate"] = MS_PRIVATE | MS_REC,
        ["shared"] = MS_SHARED,
        ["rshared"] = MS_SHARED | MS_REC,
        ["slave"] = MS_SLAVE,
        ["rslave"] = MS_SLAVE | MS_REC,
        ["unbindable"] = MS_UNBINDABLE,
        ["runbindable"] = MS_UNBINDABLE | MS_REC,
    };

    /// <summary>Parses mount(8)-style options; unknown names become filesystem data, in order.</summary>
    /// <exception cref="ArgumentException">For idmap/ridmap and the recursive attribute options (rro, rnosuid, …), which Quai does not support.</exception>
    public static MountOptions Parse(IEnumerable<string>? options)
    {
        ulong flags = 0, clear = 0;
        var propagation = new List<ulong>();
        var data = new List<string>();
        var copyUp = false;
        foreach (var option in options ?? [])
        {
            if (FlagOptions.TryGetValue(option, out var f))
            {
                // A later option wins over an earlier opposite one (mount(8) reads left to right).
                if (f.Clear)
                {
                    flags &= ~f.Flag;
                    clear |= f.Flag;
                }
                else
                {
                    flags |= f.Flag;
                    clear &= ~f.Flag;
                }
            }
            else if (Propagations.TryGetValue(option, out var p))
            {
                propagation.Add(p);
            }
            else if (option == "tmpcopyup")
            {
                copyUp = true;
            }
            else if (option is "idmap" or "ridmap")
            {
                throw new ArgumentException($"mount option '{option}' (id-mapped mounts) is not supported by quai-runtime: remove it, or use runc or crun for this container");
            }
            else if (IsRecursiveAttribute(option))
            {
                throw new ArgumentException($"recursive mount attribute option '{option}' (mount_setattr(2)) is not supported by quai-runtime: use '{option[1..]}' on each mount instead");
            }
            else if (option.Length > 0)
            {
                data.Add(option);
            }
        }
        return new MountOptions
        {
            Flags = flags,
            ClearFlags = clear,
            PropagationFlags = propagation,
            Data = string.Join(',', data),
            TmpCopyUp = copyUp,
        };
    }

    // runc's recursive (AT_RECURSIVE) variants: rro, rrw, rnosuid, rsuid, rnodev, rdev, rnoexec,
    // rexec, rnodiratime, rdiratime, rrelatime, rnorelatime, rnoatime, ratime, rstrictatime,
    // rnostrictatime, rnosymfollow, rsymfollow.
    private static bool IsRecursiveAttribute(string option) =>
        option.Length > 1 && option[0] == 'r' && option != "rbind" && option != "relatime" &&
        FlagOptions.TryGetValue(option[1..], out var f) && f.Flag != 0 && (f.Flag & (MS_BIND | MS_REMOUNT | MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK | MS_LAZYTIME | MS_IVERSION | MS_SILENT)) == 0;
}
