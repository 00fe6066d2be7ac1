using System.Diagnostics;

namespace Quai.Testing;

/// <summary>Makes container root filesystems from Debian's busybox-static (/bin/busybox).</summary>
public static class Busybox
{
    /// <summary>Where busybox-static installs its binary.</summary>
    public const string BinaryPath = "/bin/busybox";

    /// <summary>
    /// Fills <paramref name="rootfs"/> with busybox and a symlink per applet in /bin, plus the
    /// directories a container expects (/proc, /sys, /dev, /tmp, /etc with passwd and group).
    /// </summary>
    public static void CreateRootfs(string rootfs)
    {
        if (!File.Exists(BinaryPath))
        {
            throw new InvalidOperationException($"{BinaryPath} is missing: install Debian's busybox-static (apt-get install busybox-static)");
        }
        foreach (var d in new[] { "bin", "proc", "sys", "dev", "tmp", "etc", "root", "var", "run", "usr/bin", "sbin" })
        {
            Directory.CreateDirectory(Path.Combine(rootfs, d));
        }
        var target = Path.Combine(rootfs, "bin", "busybox");
        File.Copy(BinaryPath, target, overwrite: true);
        File.SetUnixFileMode(target, (UnixFileMode)0x1ED); // 0755
        foreach (var applet in ListApplets())
        {
            var link = Path.Combine(rootfs, "bin", applet);
            if (applet != "busybox" && !File.Exists(link))
            {
                File.CreateSymbolicLink(link, "busybox");
            }
        }
        File.WriteAllText(Path.Combine(rootfs, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        File.WriteAllText(Path.Combine(rootfs, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n");
        File.SetUnixFileMode(Path.Combine(rootfs, "tmp"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute | UnixFileMode.StickyBit);
    }

    private static List<string> ListApplets()
    {
        using var p = Process.Start(new ProcessStartInfo(BinaryPath, "--list") { RedirectStandardOutput = true })!;
        var list = p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        p.WaitForExit();
        return list;
    }
}
