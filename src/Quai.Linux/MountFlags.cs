namespace Quai.Linux;

/// <summary>mount(2) flags (linux/mount.h) and the statfs(2) f_flags bits (ST_*) they are read back as.</summary>
public static class MountFlags
{
    public const ulong MS_RDONLY = 0x1;
    public const ulong MS_NOSUID = 0x2;
    public const ulong MS_NODEV = 0x4;
    public const ulong MS_NOEXEC = 0x8;
    public const ulong MS_SYNCHRONOUS = 0x10;
    public const ulong MS_REMOUNT = 0x20;
    public const ulong MS_MANDLOCK = 0x40;
    public const ulong MS_DIRSYNC = 0x80;
    public const ulong MS_NOSYMFOLLOW = 0x100;
    public const ulong MS_NOATIME = 0x400;
    public const ulong MS_NODIRATIME = 0x800;
    public const ulong MS_BIND = 0x1000;
    public const ulong MS_MOVE = 0x2000;
    public const ulong MS_REC = 0x4000;
    public const ulong MS_SILENT = 0x8000;
    public const ulong MS_UNBINDABLE = 0x20000;
    public const ulong MS_PRIVATE = 0x40000;
    public const ulong MS_SLAVE = 0x80000;
    public const ulong MS_SHARED = 0x100000;
    public const ulong MS_RELATIME = 0x200000;
    public const ulong MS_IVERSION = 0x800000;
    public const ulong MS_STRICTATIME = 0x1000000;
    public const ulong MS_LAZYTIME = 0x2000000;

    /// <summary>The propagation types; the kernel accepts one per mount(2) call.</summary>
    public const ulong PropagationMask = MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE;

    /// <summary>The access-time flags: setting one on remount replaces the others.</summary>
    public const ulong AtimeMask = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;

    // statfs(2) f_flags (bits/statvfs.h); ST_RELATIME differs from MS_RELATIME.
    private const long ST_RDONLY = 0x1;
    private const long ST_NOSUID = 0x2;
    private const long ST_NODEV = 0x4;
    private const long ST_NOEXEC = 0x8;
    private const long ST_NOATIME = 0x400;
    private const long ST_NODIRATIME = 0x800;
    private const long ST_RELATIME = 0x1000;
    private const long ST_NOSYMFOLLOW = 0x2000;

    /// <summary>
    /// The MS_* flags a remount must keep, from a statfs f_flags value: the kernel locks these on
    /// mounts inherited from a more privileged namespace, and a bind remount that drops one fails
    /// with EPERM (mount(2), "EPERM ... locked").
    /// </summary>
    public static ulong FromStatfsFlags(long statfsFlags)
    {
        ulong flags = 0;
        (long St, ulong Ms)[] map =
        [
            (ST_RDONLY, MS_RDONLY), (ST_NOSUID, MS_NOSUID), (ST_NODEV, MS_NODEV), (ST_NOEXEC, MS_NOEXEC),
            (ST_NOATIME, MS_NOATIME), (ST_NODIRATIME, MS_NODIRATIME), (ST_RELATIME, MS_RELATIME),
            (ST_NOSYMFOLLOW, MS_NOSYMFOLLOW),
        ];
        foreach (var (st, ms) in map)
        {
            if ((statfsFlags & st) != 0)
            {
                flags |= ms;
            }
        }
        return flags;
    }
}
