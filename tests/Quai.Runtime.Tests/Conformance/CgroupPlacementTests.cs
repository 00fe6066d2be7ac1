namespace Quai.Runtime.Tests.Conformance;

/// <summary>
/// Where the container's processes land in the cgroup tree (config-linux.md#control-groups). quai
/// spawns the init and exec's process straight into the cgroup (a thread joins the v1 hierarchies,
/// clone3 with CLONE_INTO_CGROUP for cgroup2) where runc and crun on a hybrid host move them in.
/// </summary>
public sealed class CgroupPlacementTests
{
    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void The_init_is_in_the_container_cgroup_in_every_hierarchy_and_alone_there(string runtime)
    {
        using var c = new ConformanceContainer(runtime, "sleep", "100");
        c.Spec.Linux!.CgroupsPath = "/" + c.Id;
        c.WriteConfig();
        c.Create();
        var pid = c.State().Pid;
        var lines = File.ReadAllLines($"/proc/{pid}/cgroup");
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            if (runtime == "crun" && line.StartsWith("0::", StringComparison.Ordinal))
            {
                // crun 1.8.1 on a hybrid host leaves the init in cgroup2's root; runc and quai put
                // it in the container's cgroup there too (for cgroup.kill).
                continue;
            }
            // "hierarchy-ID:controllers:path" (cgroups(7)); every hierarchy, cgroup2 ("0::") included.
            Assert.True(line.EndsWith(":/" + c.Id, StringComparison.Ordinal), $"{runtime}: /proc/{pid}/cgroup has \"{line}\", not the container's cgroup /{c.Id}");
        }
        var dirs = c.LeftoverCgroups();
        Assert.NotEmpty(dirs);
        foreach (var dir in dirs)
        {
            // Nothing of the runtime is left in there (no thread of the create process: v1 lists a
            // member thread's process in cgroup.procs).
            var procs = File.ReadAllLines(Path.Combine(dir, "cgroup.procs")).Where(l => l.Length > 0).ToList();
            Assert.True(procs.SequenceEqual([pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]), $"{runtime}: {dir}/cgroup.procs holds [{string.Join(", ", procs)}], not just the init {pid}");
        }
        c.Start();
        var exec = c.Exec("cat", "/proc/self/cgroup");
        Assert.True(exec.ExitCode == 0, exec.ToString());
        // No cgroup namespace in this spec: exec's process sees the init's cgroups.
        Assert.Equal(lines, exec.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Exec_in_a_container_at_its_pids_limit_fails_with_a_clear_error()
    {
        // The init and two sleeps: three processes, the limit. exec's process would be refused in
        // the cgroup; moving it in is exempt from pids.max, but the runtime's threads are not (runc
        // aborts in the Go runtime: "pthread_create failed"; crun is single-threaded C and gets
        // through). quai says what is wrong.
        using var c = new ConformanceContainer("quai", "sh", "-c", "sleep 100 & sleep 100 & wait");
        c.Spec.Linux!.Resources!.Pids = new Quai.Oci.Runtime.LinuxPids { Limit = 3 };
        c.Spec.Linux!.CgroupsPath = "/" + c.Id;
        c.WriteConfig();
        c.Create();
        c.Start();
        var pids = c.LeftoverCgroups().Select(d => Path.Combine(d, "pids.current")).First(File.Exists);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (File.ReadAllText(pids).Trim() != "3" && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }
        Assert.Equal("3", File.ReadAllText(pids).Trim());
        var echo = c.Exec("echo", "hello");
        Assert.True(echo.ExitCode != 0 && echo.Stderr.Contains("pids.max", StringComparison.Ordinal), echo.ToString());
        Assert.Equal("3", File.ReadAllText(pids).Trim());
    }
}
