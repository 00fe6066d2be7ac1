using Quai.Oci.Runtime;

namespace Quai.Runtime.Tests.Rootfs;

/// <summary>
/// One probe run shared by <see cref="RootfsIntegrationTests"/>: a runc-like config plus
/// read-only root, hostname, a sysctl, bind and tmpfs mounts, a device, masked paths and mount
/// destinations through hostile symlinks. One run keeps the suite fast; each test asserts one fact.
/// </summary>
public sealed class StandardContainerFixture : IDisposable
{
    private const string Script = """
        echo ROOT_LS=$(ls / | tr '\n' ' ')
        test -e /work && echo HOST_WORK=present || echo HOST_WORK=absent
        echo SELF=$$
        echo PID1=$(cat /proc/1/comm)
        set -- /proc/[0-9]*
        echo PROC_PIDS=$#
        echo DEVS=$(ls /dev | tr '\n' ' ')
        echo DEV_NULL=$(stat -c '%F %t:%T %a %u:%g' /dev/null)
        echo DEV_ZERO=$(stat -c '%F %t:%T %a %u:%g' /dev/zero)
        echo DEV_FULL=$(stat -c '%F %t:%T %a %u:%g' /dev/full)
        echo DEV_RANDOM=$(stat -c '%F %t:%T %a %u:%g' /dev/random)
        echo DEV_URANDOM=$(stat -c '%F %t:%T %a %u:%g' /dev/urandom)
        echo DEV_TTY=$(stat -c '%F %t:%T %a %u:%g' /dev/tty)
        echo DEV_FUSE=$(stat -c '%F %t:%T %a %u:%g' /dev/fuse)
        echo DEV_NET_TUN=$(stat -c '%F %t:%T %a %u:%g' /dev/net/tun)
        echo PTMX=$(readlink /dev/ptmx)
        echo FD=$(readlink /dev/fd)
        echo STDERR=$(readlink /dev/stderr)
        test -c /dev/pts/ptmx && echo PTS=ok || echo PTS=missing
        echo hi > /dev/null && echo NULL_WRITE=ok
        echo DATA_READ=$(cat /data/file)
        touch /data/new 2>/dev/null && echo DATA_WRITE=ok || echo DATA_WRITE=refused
        echo written > /rw/out && echo RW_WRITE=ok
        echo SCRATCH=$(awk '$5 == "/scratch" { print $NF }' /proc/self/mountinfo)
        echo SCRATCH_MODE=$(stat -c %a /scratch)
        echo SCRATCH_FLAGS=$(awk '$5 == "/scratch" { print $6 }' /proc/self/mountinfo)
        echo KEYS_BYTES=$(wc -c < /proc/keys)
        echo SECRET_FILE_BYTES=$(wc -c < /etc/secret)
        echo SECRET_DIR_ENTRIES=$(ls -A /secretdir | wc -l)
        touch /secretdir/x 2>/dev/null && echo SECRET_DIR_WRITE=ok || echo SECRET_DIR_WRITE=refused
        echo SHMMAX=$(cat /proc/sys/kernel/shmmax)
        echo 1 > /proc/sys/kernel/shmmax 2>/dev/null && echo PROCSYS_WRITE=ok || echo PROCSYS_WRITE=refused
        touch /newfile 2>/dev/null && echo ROOT_WRITE=ok || echo ROOT_WRITE=refused
        echo ROOT_FLAGS=$(awk '$5 == "/" { print $6 }' /proc/self/mountinfo)
        echo HOSTNAME=$(hostname)
        echo DOMAINNAME=$(cat /proc/sys/kernel/domainname)
        echo PASSWD=$(head -n 1 /etc/passwd)
        echo copied > /etc/new && echo ETC_WRITE=ok || echo ETC_WRITE=refused
        echo ETC_FS=$(awk '$5 == "/etc" { print $9 }' /proc/self/mountinfo)
        echo ABS_ESCAPE=$(awk '$5 ~ /outside-abs\/mnt$/ { print $5 }' /proc/self/mountinfo)
        echo REL_ESCAPE=$(awk '$5 ~ /outside-rel\/mnt$/ { print $5 }' /proc/self/mountinfo)
        echo MOUNTS_WITH_HOST_PATHS=$(grep -c ' /work' /proc/self/mountinfo)
        echo CGROUPS=$(ls /sys/fs/cgroup | tr '\n' ' ')
        echo CGROUP_MEMORY=$(grep ':memory:' /proc/self/cgroup)
        test -e /sys/fs/cgroup/memory/memory.limit_in_bytes && echo CGROUP_MEMORY_FILES=ok || echo CGROUP_MEMORY_FILES=missing
        mkdir /sys/fs/cgroup/new 2>/dev/null && echo CGROUP_WRITE=ok || echo CGROUP_WRITE=refused
        touch /sys/x 2>/dev/null && echo SYS_WRITE=ok || echo SYS_WRITE=refused
        echo FIRMWARE_ENTRIES=$(ls -A /sys/firmware | wc -l)
        test -e /dev/console && echo CONSOLE=present || echo CONSOLE=absent
        echo DONE=yes
        """;

    public StandardContainerFixture()
    {
        Bundle = Create();
        OutsideAbs = Bundle.Combine("outside-abs");
        OutsideRel = Bundle.Combine("outside-rel");
        Result = Bundle.Run();
    }

    /// <summary>A new bundle with this fixture's config and host/rootfs files, not yet run.</summary>
    public static ProbeBundle Create()
    {
        var bundle = new ProbeBundle(Script);
        try
        {
            Configure(bundle);
            return bundle;
        }
        catch
        {
            bundle.Dispose();
            throw;
        }
    }

    private static void Configure(ProbeBundle bundle)
    {
        var spec = bundle.Spec;
        spec.Root!.Readonly = true;
        spec.Hostname = "probe-host";
        spec.Domainname = "probe.example";
        spec.Linux!.Sysctl = new() { ["kernel.shmmax"] = "123456789" };
        spec.Linux.Devices =
        [
            new LinuxDevice { Path = "/dev/fuse", Type = "c", Major = 10, Minor = 229, FileMode = 0x180, Uid = 1000, Gid = 1001 },
            new LinuxDevice { Path = "/dev/net/tun", Type = "c", Major = 10, Minor = 200, FileMode = 0x1B6 },

            // Same path as a default device: the configured one wins.
            new LinuxDevice { Path = "/dev/full", Type = "c", Major = 1, Minor = 7, FileMode = 0x180, Uid = 0, Gid = 5 },
        ];
        spec.Linux.MaskedPaths!.AddRange(["/etc/secret", "/secretdir", "/does/not/exist"]);
        spec.Linux.ReadonlyPaths!.Add("/does/not/exist/either");

        // Host side: a read-only bind with a file, a writable bind, and the places the hostile
        // symlinks point at (which must stay untouched).
        Directory.CreateDirectory(bundle.Combine("data"));
        File.WriteAllText(bundle.Combine("data", "file"), "from-host");
        Directory.CreateDirectory(bundle.Combine("rwdir"));
        var outsideAbs = bundle.Combine("outside-abs");
        var outsideRel = bundle.Combine("outside-rel");
        Directory.CreateDirectory(outsideAbs);
        Directory.CreateDirectory(outsideRel);

        // Rootfs side.
        File.WriteAllText(Path.Combine(bundle.Rootfs, "etc", "secret"), "password");
        Directory.CreateDirectory(Path.Combine(bundle.Rootfs, "secretdir"));
        File.WriteAllText(Path.Combine(bundle.Rootfs, "secretdir", "key"), "key");
        File.CreateSymbolicLink(Path.Combine(bundle.Rootfs, "abs-escape"), outsideAbs);
        File.CreateSymbolicLink(Path.Combine(bundle.Rootfs, "rel-escape"), string.Concat(Enumerable.Repeat("../", 12)) + outsideRel.TrimStart('/'));

        spec.Mounts!.AddRange(
        [
            new() { Destination = "/data", Type = "bind", Source = "data", Options = ["rbind", "ro", "nosuid"] },
            new() { Destination = "/rw", Source = bundle.Combine("rwdir"), Options = ["bind"] },
            new() { Destination = "/scratch", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "nodev", "size=1m", "mode=710"] },
            new() { Destination = "/etc", Type = "tmpfs", Source = "tmpfs", Options = ["tmpcopyup", "mode=755"] },
            new() { Destination = "/abs-escape/mnt", Type = "tmpfs", Source = "tmpfs" },
            new() { Destination = "/rel-escape/mnt", Type = "tmpfs", Source = "tmpfs" },
        ]);
    }

    public ProbeBundle Bundle { get; }

    public ProbeResult Result { get; }

    public string OutsideAbs { get; }

    public string OutsideRel { get; }

    public void Dispose() => Bundle.Dispose();
}
