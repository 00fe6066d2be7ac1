using Quai.Linux;
using Quai.Oci.Runtime;
using static Quai.Linux.MountFlags;

namespace Quai.Runtime.Rootfs;

// config-linux.md#default-devices and #devices: device nodes and the /dev symlinks.
public static partial class RootfsSetup
{
    private const uint DefaultDeviceMode = 0x1B6; // 0666

    /// <summary>The devices every container gets (config-linux.md#default-devices); /dev/console and /dev/ptmx are set up apart.</summary>
    public static IReadOnlyList<LinuxDevice> DefaultDevices { get; } =
    [
        new() { Path = "/dev/null", Type = "c", Major = 1, Minor = 3, FileMode = DefaultDeviceMode, Uid = 0, Gid = 0 },
        new() { Path = "/dev/zero", Type = "c", Major = 1, Minor = 5, FileMode = DefaultDeviceMode, Uid = 0, Gid = 0 },
        new() { Path = "/dev/full", Type = "c", Major = 1, Minor = 7, FileMode = DefaultDeviceMode, Uid = 0, Gid = 0 },
        new() { Path = "/dev/random", Type = "c", Major = 1, Minor = 8, FileMode = DefaultDeviceMode, Uid = 0, Gid = 0 },
        new() { Path = "/dev/urandom", Type = "c", Major = 1, Minor = 9, FileMode = DefaultDeviceMode, Uid = 0, Gid = 0 },
        new() { Path = "/dev/tty", Type = "c", Major = 5, Minor = 0, FileMode = DefaultDeviceMode, Uid = 0, Gid = 0 },
    ];

    private static void CreateDevices(string rootfs, List<LinuxDevice>? specDevices)
    {
        // A spec device with a default device's path replaces it.
        var devices = new List<LinuxDevice>();
        foreach (var d in DefaultDevices)
        {
            if (specDevices?.Any(s => CleanDestination(s.Path) == d.Path) != true)
            {
                devices.Add(d);
            }
        }
        devices.AddRange(specDevices ?? []);
        foreach (var device in devices)
        {
            CreateDevice(rootfs, device);
        }
    }

    private static void CreateDevice(string rootfs, LinuxDevice device)
    {
        var typeBits = device.Type switch
        {
            "c" or "u" => DeviceNodes.S_IFCHR,
            "b" => DeviceNodes.S_IFBLK,
            "p" => DeviceNodes.S_IFIFO,
            _ => throw new ArgumentException($"device {device.Path} has type '{device.Type}': use c, u, b or p (config-linux.md#devices)"),
        };
        if (string.IsNullOrEmpty(device.Path) || CleanDestination(device.Path) == "/")
        {
            throw new ArgumentException($"device path '{device.Path}' is not a file path inside the container");
        }
        var target = SecureJoin.Resolve(rootfs, CleanDestination(device.Path));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!, DirectoryMode);
        var permissions = (device.FileMode ?? DefaultDeviceMode) & 0xFFF;
        var dev = device.Type == "p" ? 0UL : DeviceNodes.MakeDev(device.Major, device.Minor);
        var rc = DeviceNodes.TryMknod(target, typeBits | permissions, dev);
        if (rc == Errnos.EEXIST)
        {
            // Whatever the image put there stays, as runc does.
            return;
        }
        if (rc == Errnos.EPERM)
        {
            // No CAP_MKNOD (or a user namespace): bind the host's node instead (runc bindMountDeviceNode).
            if (!File.Exists(target))
            {
                using (File.Create(target))
                {
                }
            }
            Mounts.Mount(device.Path, target, "bind", MS_BIND);
            return;
        }
        if (rc != 0)
        {
            throw new LinuxException("mknod", rc, $"{target} ({device.Type} {device.Major}:{device.Minor})");
        }

        // mknod(2) is filtered by the umask; chmod is not.
        DeviceNodes.Chmod(target, permissions);
        DeviceNodes.Chown(target, device.Uid ?? 0, device.Gid ?? 0);
    }

    /// <summary>/dev/ptmx → pts/ptmx, so that each container uses its own devpts instance (Documentation/filesystems/devpts.rst).</summary>
    private static void SetupPtmx(string rootfs)
    {
        var ptmx = Path.Combine(rootfs, "dev", "ptmx");
        if (File.Exists(ptmx) || new FileInfo(ptmx).LinkTarget is not null)
        {
            File.Delete(ptmx);
        }
        Directory.CreateDirectory(Path.Combine(rootfs, "dev"));
        File.CreateSymbolicLink(ptmx, "pts/ptmx");
    }

    /// <summary>The conventional /dev symlinks (runc setupDevSymlinks): fd, stdin, stdout, stderr, and core when the kernel has /proc/kcore.</summary>
    private static void CreateDevSymlinks(string rootfs)
    {
        var links = new List<(string Target, string Name)>
        {
            ("/proc/self/fd", "fd"),
            ("/proc/self/fd/0", "stdin"),
            ("/proc/self/fd/1", "stdout"),
            ("/proc/self/fd/2", "stderr"),
        };
        if (File.Exists("/proc/kcore"))
        {
            links.Add(("/proc/kcore", "core"));
        }
        foreach (var (target, name) in links)
        {
            var link = Path.Combine(rootfs, "dev", name);
            if (!Path.Exists(link) && new FileInfo(link).LinkTarget is null)
            {
                File.CreateSymbolicLink(link, target);
            }
        }
    }
}
