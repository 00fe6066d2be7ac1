using Quai.Linux;
using Quai.Oci.Runtime;

namespace Quai.Runtime.Tests.Lifecycle;

/// <summary>The runtime binary through create/start/state/kill/delete, run, exec and pid files (root, real kernel).</summary>
public class LifecycleTests
{
    [Theory]
    [InlineData(new[] { "true" }, 0)]
    [InlineData(new[] { "false" }, 1)]
    [InlineData(new[] { "sh", "-c", "exit 3" }, 3)]
    public void Run_returns_the_containers_exit_status(string[] args, int expected)
    {
        using var c = new TestContainer(s => s.Process!.Args = [.. args]);
        var (code, _, err) = c.Runtime("run", "--bundle", c.Bundle, c.Id);
        Assert.True(expected == code, $"exit {code}, expected {expected}; stderr: {err}");
        Assert.False(Directory.Exists(Path.Combine(c.StateRoot, c.Id)), "run without --keep deletes the container");
    }

    [Fact]
    public async Task Run_reports_128_plus_the_signal_that_killed_the_container()
    {
        // The container's init ignores a SIGKILL from inside its own pid namespace
        // (pid_namespaces(7)), so the signal comes from outside, through `kill`.
        using var c = new TestContainer(s => s.Process!.Args = ["sleep", "100"]);
        var run = Task.Run(() => c.Runtime("run", "--bundle", c.Bundle, c.Id));
        c.WaitForStatus(ContainerStatus.Running);
        Assert.Equal(0, c.Runtime("kill", c.Id, "SIGKILL").Code);
        var (code, _, err) = await run;
        Assert.True(code == 137, $"exit {code}: {err}");
    }

    [Fact]
    public void A_relative_cgroups_path_is_removed_from_every_hierarchy_on_delete()
    {
        // Relative paths resolve under the caller's own cgroup in each hierarchy; on this hybrid
        // host the test's memory cgroup is not "/", so the hierarchies differ (cgroup paths of
        // config-linux.md#cgroups-path). delete must find and remove every one of them.
        var name = "quai-rel-" + Guid.NewGuid().ToString("N")[..8];
        using var c = new TestContainer(s =>
        {
            s.Process!.Args = ["sleep", "100"];
            s.Linux!.CgroupsPath = name;
        });
        var (code, _, err) = c.Runtime("create", "--bundle", c.Bundle, c.Id);
        Assert.True(code == 0, err);
        var dirs = Directory.GetDirectories("/sys/fs/cgroup", name, SearchOption.AllDirectories);
        Assert.NotEmpty(dirs);
        Assert.Equal(0, c.Runtime("delete", "--force", c.Id).Code);
        var left = dirs.Where(Directory.Exists).ToList();
        Assert.True(left.Count == 0, "left behind: " + string.Join(", ", left));
    }

    [Fact]
    public void Create_start_kill_delete_move_through_the_states()
    {
        using var c = new TestContainer(s => s.Process!.Args = ["sleep", "100"]);
        var pidFile = Path.Combine(c.Scratch, "init.pid");
        var (code, _, err) = c.Runtime("create", "--bundle", c.Bundle, "--pid-file", pidFile, c.Id);
        Assert.True(code == 0, err);
        Assert.Equal(ContainerStatus.Created, c.Status());
        var pid = c.Pid();
        Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(pidFile));
        Assert.Equal(c.Id, c.Runtime("list", "-q").Out.Trim());
        Assert.Contains($"\"id\":\"{c.Id}\"", c.Runtime("list", "--format", "json").Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_runs_the_program_and_kill_stops_it()
    {
        using var c = new TestContainer(s => s.Process!.Args = ["sleep", "100"]);
        Assert.Equal(0, c.Runtime("create", "--bundle", c.Bundle, c.Id).Code);
        var start = c.Runtime("start", c.Id);
        Assert.True(start.Code == 0, start.Err);
        Assert.Equal(ContainerStatus.Running, c.Status());
        Assert.Contains("sleep", File.ReadAllText($"/proc/{c.Pid()}/cmdline"), StringComparison.Ordinal);
        var refused = c.Runtime("delete", c.Id);
        Assert.Equal(1, refused.Code);
        Assert.Contains("running", refused.Err, StringComparison.Ordinal);
        Assert.Equal(1, c.Runtime("start", c.Id).Code);

        Assert.Equal(0, c.Runtime("kill", c.Id, "KILL").Code);
        c.WaitForStatus(ContainerStatus.Stopped);
        Assert.Equal(0, c.Runtime("delete", c.Id).Code);
        Assert.Null(c.Status());
        Assert.False(Directory.Exists(Path.Combine(c.StateRoot, c.Id)));
    }

    [Fact]
    public void Created_container_can_be_deleted_and_its_init_goes()
    {
        using var c = new TestContainer(s => s.Process!.Args = ["sleep", "100"]);
        Assert.Equal(0, c.Runtime("create", "--bundle", c.Bundle, c.Id).Code);
        var pid = c.Pid();
        var start = ProcessInfo.ReadStat(pid)!.Value.StartTime;
        Assert.Equal(0, c.Runtime("delete", c.Id).Code);
        Assert.False(ProcessInfo.IsAlive(pid, start));
        Assert.Null(c.Status());
    }

    [Fact]
    public void Delete_force_kills_a_running_container()
    {
        using var c = new TestContainer(s => s.Process!.Args = ["sh", "-c", "sleep 100 & sleep 100"]);
        Assert.Equal(0, c.Runtime("create", "--bundle", c.Bundle, c.Id).Code);
        Assert.Equal(0, c.Runtime("start", c.Id).Code);
        var pid = c.Pid();
        var start = ProcessInfo.ReadStat(pid)!.Value.StartTime;
        var (code, _, err) = c.Runtime("delete", "--force", c.Id);
        Assert.True(code == 0, err);
        Assert.False(ProcessInfo.IsAlive(pid, start));
        Assert.Null(c.Status());
    }

    [Fact]
    public void Exec_runs_in_the_containers_namespaces_and_returns_its_status()
    {
        using var c = new TestContainer(s => s.Process!.Args = ["sleep", "100"]);
        Assert.Equal(0, c.Runtime("create", "--bundle", c.Bundle, c.Id).Code);
        Assert.Equal(0, c.Runtime("start", c.Id).Code);
        var (code, output, err) = c.Runtime("exec", "--env", "X=42", c.Id, "sh", "-c", "echo $X $(hostname) $(cat /proc/1/cmdline | tr '\\0' ' '); exit 5");
        Assert.True(code == 5, $"exit {code}: {err}");
        Assert.Equal("42 quai-test sleep 100", output.Trim());

        var pidFile = Path.Combine(c.Scratch, "exec.pid");
        var detached = c.Runtime("exec", "-d", "--pid-file", pidFile, c.Id, "sleep", "50");
        Assert.True(detached.Code == 0, detached.Err);
        var execPid = int.Parse(File.ReadAllText(pidFile), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(execPid.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Runtime("ps", "--format", "json", c.Id).Out, StringComparison.Ordinal);
        Assert.Equal(0, c.Runtime("delete", "--force", c.Id).Code);
    }

    [Fact]
    public void Preserve_fds_passes_exactly_those_fds()
    {
        using var c = new TestContainer(s => s.Process!.Args = ["sh", "-c", "cat <&3; ls /proc/self/fd | tr '\\n' ' '"]);
        var secret = Path.Combine(c.Scratch, "passed.txt");
        File.WriteAllText(secret, "passed-fd\n");
        var (code, output, err) = RuntimeBinary.RunWithRedirections(c.Scratch, $"3<'{secret}'", "--root", c.StateRoot, "run", "--preserve-fds", "1", "--bundle", c.Bundle, c.Id);
        Assert.True(code == 0, err);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("passed-fd", lines[0]);
        // 0-2, the preserved 3, and ls's own directory fd: no runtime fd leaks in (CVE-2024-21626).
        Assert.Equal(["0", "1", "2", "3", "4"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Address_space_limits_below_the_runtimes_own_are_applied_just_before_exec(bool noNewPrivileges)
    {
        // runtime-tools process_rlimits: under a 1 GiB RLIMIT_AS set early, seccomp_load (and
        // anything else that maps memory in the Native AOT init) failed with ENOMEM.
        const ulong GiB = 1024 * 1024 * 1024;
        using var c = new TestContainer(s =>
        {
            s.Process!.Args = ["sh", "-c", "grep -E '^Max (address space|data size)' /proc/self/limits | tr -s ' '"];
            s.Process.NoNewPrivileges = noNewPrivileges;
            s.Process.Rlimits =
            [
                new Rlimit { Type = "RLIMIT_AS", Soft = 1 * GiB, Hard = 2 * GiB },
                new Rlimit { Type = "RLIMIT_DATA", Soft = 5 * GiB, Hard = 6 * GiB },
            ];
            s.Linux!.Seccomp = Quai.Runtime.Tests.Security.DockerLikeProfile.Create();
        });
        var (code, output, err) = c.Runtime("run", "--bundle", c.Bundle, c.Id);
        Assert.True(code == 0, $"exit {code}: {err}");
        Assert.Equal(
            ["Max data size 5368709120 6442450944 bytes", "Max address space 1073741824 2147483648 bytes"],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
    }

    [Fact]
    public void A_capability_set_the_kernel_refuses_fails_create_not_the_started_program()
    {
        // runtime-tools process_capabilities: capset ran only after `start`, so create and start
        // both succeeded and the program silently never ran.
        using var c = new TestContainer(s =>
        {
            s.Process!.Args = ["true"];
            s.Process.Capabilities = new Capabilities
            {
                Bounding = ["CAP_SYS_ADMIN"],
                Effective = ["CAP_SYS_ADMIN"],
                Permitted = [],
                Inheritable = [],
                Ambient = [],
            };
        });
        var (code, _, err) = c.Runtime("create", "--bundle", c.Bundle, c.Id);
        Assert.True(code == 1, $"exit {code}: {err}");
        Assert.Contains("cannot set capabilities", err, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(c.StateRoot));
    }

    [Fact]
    public void Failed_create_leaves_nothing_behind()
    {
        using var c = new TestContainer(s => s.Process!.Args = ["/no/such/program"]);
        var (code, _, err) = c.Runtime("create", "--bundle", c.Bundle, c.Id);
        Assert.Equal(1, code);
        Assert.Contains("/no/such/program", err, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(c.StateRoot));
        Assert.Empty(CgroupDirsNamed(c.Id));
    }

    [Fact]
    public void Invalid_bundles_are_refused_with_clear_errors()
    {
        using var c = new TestContainer(s => s.Process!.Args = []);
        var (code, _, err) = c.Runtime("create", "--bundle", c.Bundle, c.Id);
        Assert.Equal(1, code);
        Assert.Contains("process.args", err, StringComparison.Ordinal);
        Assert.Equal(1, c.Runtime("create", "--bundle", c.Bundle, "bad/id").Code);
        Assert.Empty(Directory.GetFileSystemEntries(c.StateRoot));
    }

    private static IEnumerable<string> CgroupDirsNamed(string id)
    {
        foreach (var hierarchy in Directory.GetDirectories("/sys/fs/cgroup"))
        {
            var quai = Path.Combine(hierarchy, "quai", id);
            if (Directory.Exists(quai))
            {
                yield return quai;
            }
        }
    }
}
