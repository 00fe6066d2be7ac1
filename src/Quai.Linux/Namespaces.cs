using Quai.Linux.Interop;

namespace Quai.Linux;

/// <summary>Namespace creation and joining for the calling thread (namespaces(7), unshare(2), setns(2)).</summary>
public static class Namespaces
{
    public const int CLONE_FS = 0x00000200;
    public const int CLONE_NEWNS = 0x00020000;
    public const int CLONE_NEWCGROUP = 0x02000000;
    public const int CLONE_NEWUTS = 0x04000000;
    public const int CLONE_NEWIPC = 0x08000000;
    public const int CLONE_NEWUSER = 0x10000000;
    public const int CLONE_NEWPID = 0x20000000;
    public const int CLONE_NEWNET = 0x40000000;
    public const int CLONE_NEWTIME = 0x00000080;

    /// <summary>The CLONE_NEW* flag for an OCI namespace type name ("pid", "network", ...), or 0 if unknown.</summary>
    public static int FlagOf(string ociType) => ociType switch
    {
        "pid" => CLONE_NEWPID,
        "network" => CLONE_NEWNET,
        "mount" => CLONE_NEWNS,
        "ipc" => CLONE_NEWIPC,
        "uts" => CLONE_NEWUTS,
        "user" => CLONE_NEWUSER,
        "cgroup" => CLONE_NEWCGROUP,
        "time" => CLONE_NEWTIME,
        _ => 0,
    };

    /// <summary>The /proc/PID/ns/ entry name for an OCI namespace type.</summary>
    public static string ProcName(string ociType) => ociType switch
    {
        "network" => "net",
        "mount" => "mnt",
        _ => ociType,
    };

    /// <summary>unshare(2) on the calling thread.</summary>
    public static void Unshare(int flags) => LinuxException.ThrowIfError(Libc.Unshare(flags), "unshare", $"flags 0x{flags:x}");

    /// <summary>Joins the namespace at <paramref name="path"/> (e.g. /proc/123/ns/net) on the calling thread.</summary>
    public static void Join(string path, int flag)
    {
        var fd = LinuxException.ThrowIfError(Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0), "open", path);
        try
        {
            LinuxException.ThrowIfError(Libc.Setns(fd, flag), "setns", path);
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
