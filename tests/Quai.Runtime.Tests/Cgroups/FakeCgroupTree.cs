using Quai.Runtime.Cgroups;
using Quai.Testing;

namespace Quai.Runtime.Tests.Cgroups;

/// <summary>
/// A cgroupfs look-alike in a temp dir: directories and regular files named as the kernel names
/// them, and a mountinfo text pointing at /sys/fs/cgroup (mapped onto the temp dir by
/// <see cref="CgroupEnvironment.Root"/>). The managers cannot tell it from the real thing.
/// </summary>
internal sealed class FakeCgroupTree : IDisposable
{
    /// <summary>This host's cgroup mounts (hybrid: v1 controllers, name=systemd, cgroup2 at unified), copied from its /proc/self/mountinfo.</summary>
    public const string HybridMountInfo = """
        27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
        37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        43 27 254:0 /tmp/ocitest1685893665 /tmp/ocitest1685893665 rw,relatime - ext4 /dev/vda rw,discard
        """;

    /// <summary>This host's /proc/self/cgroup for a test process: memory nested, everything else at the root.</summary>
    public const string HybridSelfCgroup = """
        9:name=systemd:/
        8:pids:/
        7:blkio:/
        6:freezer:/
        5:devices:/
        4:memory:/process_api/6e239edd3e033cdfb42f1de089aaef06
        3:cpuset:/
        2:cpuacct:/
        1:cpu:/
        0::/
        """;

    /// <summary>A typical systemd unified host (cgroup2 at /sys/fs/cgroup).</summary>
    public const string V2MountInfo = """
        25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
        35 25 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
        """;

    private readonly TempDir temp = new("quai-fakecg");

    public FakeCgroupTree()
    {
        Root = temp.Path;
    }

    /// <summary>The directory standing for /sys/fs/cgroup.</summary>
    public string Root { get; }

    public RecordingLogger Logger { get; } = new();

    /// <summary>An environment over this tree.</summary>
    public CgroupEnvironment Environment(string mountInfo, string selfCgroup) => new()
    {
        MountInfo = mountInfo,
        SelfCgroup = selfCgroup,
        Root = Root,
        Logger = Logger,
        SettleTimeout = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>Writes a file (creating its directory) under the root.</summary>
    public void File(string relative, string content)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
    }

    /// <summary>Reads a file under the root.</summary>
    public string Read(string relative) => System.IO.File.ReadAllText(Path.Combine(Root, relative));

    /// <summary>Makes <paramref name="relative"/> a v2 cgroup with the core files and each controller's files.</summary>
    public void V2Cgroup(string relative, string controllers, params string[] files)
    {
        File(Path.Combine(relative, "cgroup.controllers"), controllers);
        File(Path.Combine(relative, "cgroup.subtree_control"), "");
        File(Path.Combine(relative, "cgroup.procs"), "");
        File(Path.Combine(relative, "cgroup.freeze"), "0");
        File(Path.Combine(relative, "cgroup.events"), "populated 0\nfrozen 0\n");
        foreach (var f in files)
        {
            File(Path.Combine(relative, f), "");
        }
    }

    public void Dispose() => temp.Dispose();
}
