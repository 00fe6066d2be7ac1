using System.Diagnostics;
using Quai.Oci.Runtime;
using Quai.Runtime.Cgroups;
using Quai.Testing;

namespace Quai.Runtime.Tests.Cgroups;

/// <summary>
/// Root: the public API on a unified (pure v2) layout with the real kernel. A test cgroup of the
/// host's cgroup2 hierarchy is bind-mounted on a temp dir and shown to the manager as the only
/// cgroup mount, as a container with its own cgroup2 mount sees it; the host root is not touched.
/// </summary>
public class V2LayoutIntegrationTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = System.Diagnostics.Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)}: {err}");
    }

    [Fact]
    public void Open_create_devices_freeze_kill_and_destroy_on_a_unified_layout()
    {
        Quai.Testing.Root.Require();
        var host = CgroupMount.Parse(File.ReadAllText("/proc/self/mountinfo")).First(x => x.IsV2);
        var name = "quai-test-" + Guid.NewGuid().ToString("N")[..16];
        var parent = host.DirectoryOf("/" + name);
        Directory.CreateDirectory(parent);
        using var mountPoint = new TempDir("quai-cg2");
        Run("/bin/mount", "--bind", parent, mountPoint.Path);
        try
        {
            var line = File.ReadAllLines("/proc/self/mountinfo").Single(l => l.Split(' ')[4] == mountPoint.Path);
            var env = new CgroupEnvironment { MountInfo = line, SelfCgroup = "0::/\n" };
            var m = CgroupManager.Open($"/{name}/ctr", "ctr", false, env);
            Assert.Equal(CgroupLayout.V2, m.Layout);
            Assert.Equal($"/{name}/ctr", m.Path);
            try
            {
                m.Create(new LinuxResources
                {
                    Devices =
                    [
                        new LinuxDeviceCgroup { Allow = false, Access = "rwm" },
                        new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
                    ],
                });
                Assert.True(Directory.Exists(Path.Combine(parent, "ctr")));

                using (var probe = CgroupChild.Start("head -c 1 /dev/zero >/dev/null && echo zero-ok; echo x >/dev/null && echo null-ok; echo done"))
                {
                    m.AddProcess(probe.Pid);
                    probe.Go();
                    Assert.Equal(0, probe.WaitForExit(Long));
                    Assert.Equal("null-ok\ndone", probe.Output);
                }

                using var child = CgroupChild.Start("sleep 60");
                m.AddProcess(child.Pid);
                Assert.Equal([child.Pid], m.GetPids());
                m.Freeze();
                Assert.Equal(FreezerState.Frozen, CgroupManager.Reopen(m.Paths, env).GetFreezerState());
                m.Thaw();
                Assert.NotNull(m.GetStats().Cpu);

                // The host binds every controller to v1, so none is enabled here: a clear error.
                var e = Assert.Throws<CgroupException>(() => m.Update(new LinuxResources { Pids = new LinuxPids { Limit = 10 } }));
                Assert.Contains("pids controller is not enabled", e.Message, StringComparison.Ordinal);

                m.Kill(9);
                Assert.Equal(137, child.WaitForExit(Long));
            }
            finally
            {
                m.Destroy();
            }
            Assert.False(Directory.Exists(Path.Combine(parent, "ctr")));
        }
        finally
        {
            Run("/bin/umount", mountPoint.Path);
            Directory.Delete(parent);
        }
    }
}
