using Quai.Oci.Runtime;

namespace Quai.Runtime.Tests.Conformance;

/// <summary>runtime.md#lifecycle and #operations: run, create/start/state/kill/delete.</summary>
public sealed class LifecycleTests
{
    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Run_returns_the_process_exit_code(string runtime)
    {
        foreach (var (script, expected) in new[] { ("exit 0", 0), ("exit 1", 1), ("echo out; exit 3", 3) })
        {
            using var c = new ConformanceContainer(runtime, "sh", "-c", script);
            var r = c.Run();
            Assert.True(r.ExitCode == expected, r.ToString());
            if (expected == 3)
            {
                Assert.Equal("out\n", r.Stdout);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public async Task Run_reports_137_when_the_process_is_killed(string runtime)
    {
        // The init of a pid namespace cannot be SIGKILLed from inside it (pid_namespaces(7)),
        // so the signal comes from the host while `run` waits in the foreground.
        using var c = new ConformanceContainer(runtime, "sleep", "100");
        var run = Task.Run(() => c.Run());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (c.Cli("state", c.Id) is var s && !s.Stdout.Contains("\"running\"", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline && !run.IsCompleted, $"container never ran: {s}");
            Thread.Sleep(20);
        }
        c.Cli("kill", c.Id, "KILL").EnsureSuccess();
        var r = await run;
        Assert.True(r.ExitCode == 137, r.ToString());
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Create_start_kill_delete_walk_the_states(string runtime)
    {
        using var c = new ConformanceContainer(runtime, "sleep", "100");
        c.Create();
        var created = c.State();
        Assert.Equal(ContainerStatus.Created, created.Status);
        Assert.Equal(c.Id, created.Id);
        Assert.True(created.Pid > 0, $"created state has pid {created.Pid}");
        Assert.Equal(c.Bundle, created.Bundle);
        Assert.False(string.IsNullOrEmpty(created.OciVersion));
        using (var doc = c.StateJson())
        {
            foreach (var field in new[] { "ociVersion", "id", "status", "pid", "bundle" })
            {
                Assert.True(doc.RootElement.TryGetProperty(field, out _), $"state JSON lacks '{field}': {doc.RootElement}");
            }
        }

        c.Start();
        var running = c.State();
        Assert.Equal(ContainerStatus.Running, running.Status);
        Assert.Equal(created.Pid, running.Pid);
        Assert.True(Directory.Exists($"/proc/{running.Pid}"), $"state pid {running.Pid} is not a live process");

        c.Cli("kill", c.Id, "KILL").EnsureSuccess();
        c.WaitForStatus(ContainerStatus.Stopped);

        c.Cli("delete", c.Id).EnsureSuccess();
        var gone = c.Cli("state", c.Id);
        Assert.True(gone.ExitCode != 0, $"state after delete should fail: {gone}");
        Assert.Empty(c.LeftoverCgroups());
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Delete_without_force_refuses_a_running_container_and_force_kills_it(string runtime)
    {
        using var c = new ConformanceContainer(runtime, "sleep", "100");
        c.Create();
        c.Start();
        var pid = c.State().Pid;
        var refused = c.Cli("delete", c.Id);
        Assert.True(refused.ExitCode != 0, $"delete of a running container must fail: {refused}");
        Assert.Equal(ContainerStatus.Running, c.State().Status);

        c.Cli("delete", "--force", c.Id).EnsureSuccess();
        Assert.True(c.Cli("state", c.Id).ExitCode != 0, "state after delete --force should fail");
        WaitGone(pid);
        Assert.Empty(c.LeftoverCgroups());
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Kill_all_signals_every_process(string runtime)
    {
        using var c = new ConformanceContainer(runtime, "sh", "-c", "sleep 100 & sleep 100 & wait");
        c.Create();
        c.Start();
        var init = c.State().Pid;
        var procs = WaitForProcessCount(c, 3);
        c.Cli("kill", "--all", c.Id, "KILL").EnsureSuccess();
        c.WaitForStatus(ContainerStatus.Stopped);
        foreach (var p in procs.Append(init))
        {
            WaitGone(p);
        }
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Ps_json_lists_the_container_processes(string runtime)
    {
        using var c = new ConformanceContainer(runtime, "sh", "-c", "sleep 100 & wait");
        c.Create();
        c.Start();
        var init = c.State().Pid;
        var pids = WaitForProcessCount(c, 2);
        Assert.Contains(init, pids);
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void List_json_shows_the_container(string runtime)
    {
        using var c = new ConformanceContainer(runtime, "sleep", "100");
        c.Create();
        var r = c.Cli("list", "--format", "json").EnsureSuccess();
        using var doc = System.Text.Json.JsonDocument.Parse(r.Stdout);
        var mine = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("id").GetString() == c.Id);
        Assert.Equal(ContainerStatus.Created, mine.GetProperty("status").GetString());
        Assert.Equal(c.State().Pid, mine.GetProperty("pid").GetInt32());
        Assert.Equal(c.Bundle, mine.GetProperty("bundle").GetString());
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Pause_and_resume_freeze_the_container(string runtime)
    {
        using var c = new ConformanceContainer(runtime, "sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > /tmp/tick.new; mv /tmp/tick.new /tmp/tick; sleep 0.02; done");
        c.Create();
        c.Start();
        var tick = Path.Combine(c.Rootfs, "tmp", "tick");
        WaitForTicks(tick);
        c.Cli("pause", c.Id).EnsureSuccess();
        Assert.Equal(ContainerStatus.Paused, c.State().Status);
        // A frozen cgroup runs nothing: the counter the loop writes stands still.
        var frozen = ReadTick(tick);
        Thread.Sleep(300);
        Assert.Equal(frozen, ReadTick(tick));
        c.Cli("resume", c.Id).EnsureSuccess();
        Assert.Equal(ContainerStatus.Running, c.State().Status);
        WaitForTicks(tick, after: frozen);
    }

    private static long ReadTick(string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            // The loop renames a complete file into place, so a read sees a whole number (a
            // freeze between write and rename must not leave an empty file); absent at first.
            var text = File.Exists(path) ? File.ReadAllText(path).Trim() : "";
            if (long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var n))
            {
                return n;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{path} holds no counter: '{text}'");
            Thread.Sleep(10);
        }
    }

    private static void WaitForTicks(string path, long after = 0)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (ReadTick(path) <= after + 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the container's loop does not run: {path} stays at {ReadTick(path)}");
            Thread.Sleep(20);
        }
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Pid_file_holds_the_init_pid(string runtime)
    {
        using var c = new ConformanceContainer(runtime, "sleep", "100");
        var pidFile = c.Scratch("init.pid");
        c.Create("--pid-file", pidFile);
        var text = File.ReadAllText(pidFile).Trim();
        Assert.Equal(c.State().Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), text);
    }

    /// <summary>Polls `ps --format json` until it lists at least <paramref name="count"/> pids.</summary>
    internal static IReadOnlyList<int> WaitForProcessCount(ConformanceContainer c, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var r = c.Cli("ps", "--format", "json", c.Id).EnsureSuccess();
            using var doc = System.Text.Json.JsonDocument.Parse(r.Stdout);
            var pids = doc.RootElement.EnumerateArray().Select(e => e.GetInt32()).ToList();
            if (pids.Count >= count)
            {
                return pids;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{c.Runtime} ps of {c.Id} listed {pids.Count} pids, expected {count}: {r.Stdout}");
            }
            Thread.Sleep(20);
        }
    }

    /// <summary>Waits until a process id no longer exists (or is a zombie of someone else).</summary>
    internal static void WaitGone(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (File.Exists($"/proc/{pid}/stat"))
        {
            string stat;
            try
            {
                stat = File.ReadAllText($"/proc/{pid}/stat");
            }
            catch (IOException)
            {
                return;
            }
            if (stat.Contains(") Z ", StringComparison.Ordinal))
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"process {pid} still runs: {stat}");
            Thread.Sleep(20);
        }
    }
}
