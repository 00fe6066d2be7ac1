using Quai.Oci.Runtime;
using Quai.Runtime.Cgroups;

namespace Quai.Runtime.Tests.Cgroups;

/// <summary>Root: the device filter loaded into the kernel and attached to a real cgroup2 cgroup.</summary>
public class V2DeviceFilterIntegrationTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    private static string Probe(V2Manager m)
    {
        using var child = CgroupChild.Start("head -c 1 /dev/zero >/dev/null && echo zero-ok; echo x >/dev/null && echo null-ok; echo done");
        m.AddProcess(child.Pid);
        child.Go();
        Assert.Equal(0, child.WaitForExit(Long));
        return child.Output;
    }

    [Fact]
    public void Rules_are_enforced_and_an_update_replaces_them()
    {
        Quai.Testing.Root.Require();
        var mount = CgroupMount.Parse(File.ReadAllText("/proc/self/mountinfo")).First(x => x.IsV2);
        var m = new V2Manager(mount, "/quai-test-" + Guid.NewGuid().ToString("N")[..16], CgroupEnvironment.FromHost(), hybrid: true);
        try
        {
            m.Create(null);
            m.Update(new LinuxResources
            {
                Devices =
                [
                    new LinuxDeviceCgroup { Allow = false, Access = "rwm" },
                    new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
                ],
            });
            Assert.Equal("null-ok\ndone", Probe(m));
            Assert.Single(QueryPrograms(m));

            m.Update(new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = true, Access = "rwm" }] });
            Assert.Equal("zero-ok\nnull-ok\ndone", Probe(m));
            Assert.Single(QueryPrograms(m));
        }
        finally
        {
            m.Kill(9);
            m.Destroy();
        }
        Assert.False(Directory.Exists(m.Directory));
    }

    private static List<uint> QueryPrograms(V2Manager m)
    {
        using var fd = DeviceFilter.OpenCgroup(m.Directory);
        return DeviceFilter.Query(fd, m.Directory);
    }
}
