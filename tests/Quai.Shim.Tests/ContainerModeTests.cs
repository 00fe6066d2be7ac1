using System.Text.Json;
using Quai.Linux;
using Quai.Shim.Client;
using Quai.Testing;

namespace Quai.Shim.Tests;

/// <summary>quai-shim in container mode with real containers (root), against quai-runtime and runc.</summary>
public class ContainerModeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("quai")]
    [InlineData("runc")]
    public async Task Output_goes_to_the_json_file_log_and_to_attach_and_the_exit_code_to_exit_json_and_wait(string runtime)
    {
        Root.Require();
        using var c = new ShimTestContainer(runtime, null, "sh", "-c", "echo hello; echo oops >&2; exit 3");
        var handle = await ShimLauncher.StartAsync(c.Options(), CancellationToken.None);
        Assert.True(handle.Pid > 0);
        Assert.True(handle.ShimPid > 0 && handle.ShimPid != Environment.ProcessId);
        Assert.Contains(c.Bundle + "/rootfs", TempDir.MountsBelow(c.Bundle));
        Assert.Equal(Convert.ToString(Convert.ToInt32("600", 8), 8), Convert.ToString((int)File.GetUnixFileMode(ShimClient.SocketPath(c.StateDir)) & 0x1FF, 8));

        var client = new ShimClient(c.StateDir);
        var state = await client.StateAsync(CancellationToken.None);
        Assert.Equal(handle.Pid, state.Pid);
        Assert.True(state.Running);
        var waiting = client.WaitAsync(CancellationToken.None);
        await using var attach = await client.AttachAsync(stdin: false, stdout: true, stderr: true, CancellationToken.None);
        c.Start();

        var (stdout, stderr) = await ShimTestContainer.ReadAllFramesAsync(attach.Stream, Timeout);
        Assert.Equal("hello\n", stdout);
        Assert.Equal("oops\n", stderr);
        var exit = await waiting.WaitAsync(Timeout);
        Assert.Equal(3, exit.ExitCode);
        Assert.Null(exit.Signal);
        Assert.False(exit.OomKilled);
        Assert.InRange(exit.FinishedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(exit, ShimClient.ReadExitFile(c.StateDir));
        Assert.Matches("^\\{\"exitCode\":3,\"signal\":null,\"finishedAt\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z\",\"oomKilled\":false\\}$", File.ReadAllText(ShimClient.ExitFilePath(c.StateDir)));

        var lines = File.ReadAllLines(c.LogPath);
        Assert.Equal(2, lines.Length);
        AssertLogEntry(lines.Single(l => l.Contains("stdout", StringComparison.Ordinal)), "hello\n", "stdout");
        AssertLogEntry(lines.Single(l => l.Contains("stderr", StringComparison.Ordinal)), "oops\n", "stderr");

        // Everything cleaned up: the shim exits, the runtime forgot the container, the rootfs is unmounted.
        await WaitUntil(() => !c.IsShimOfThisContainer(handle.ShimPid));
        Assert.False(File.Exists(ShimClient.SocketPath(c.StateDir)));
        Assert.NotEqual(0, c.RuntimeCommand("state", c.Id).ExitCode);
        Assert.Empty(TempDir.MountsBelow(c.Bundle));
        // A late wait is answered from exit.json.
        Assert.Equal(3, (await client.WaitAsync(CancellationToken.None)).ExitCode);
        Assert.False((await client.StateAsync(CancellationToken.None)).Running);
    }

    [Theory]
    [InlineData("quai")]
    [InlineData("runc")]
    public async Task An_early_waiter_is_told_the_exit_with_the_rootfs_unmounted_before_the_runtime_forgets_the_container(string runtime)
    {
        Root.Require();
        using var c = new ShimTestContainer(runtime, null, "sh", "-c", "exit 7");
        var handle = await ShimLauncher.StartAsync(c.Options(), CancellationToken.None);
        var client = new ShimClient(c.StateDir);
        var registered = new TaskCompletionSource();
        var waiting = client.WaitEarlyAsync(registered, CancellationToken.None);
        // Registered before the process starts: told early however soon it exits.
        await registered.Task.WaitAsync(Timeout);
        Assert.False(waiting.IsCompleted);
        c.Start();
        var (exit, finished) = await waiting.WaitAsync(Timeout);
        Assert.Equal(7, exit.ExitCode);
        // Told before the end: the rootfs is already unmounted and exit.json written; the
        // connection ends when the shim is done, the runtime's state gone.
        Assert.Empty(TempDir.MountsBelow(c.Bundle));
        Assert.Equal(exit, ShimClient.ReadExitFile(c.StateDir));
        await finished.WaitAsync(Timeout);
        Assert.NotEqual(0, c.RuntimeCommand("state", c.Id).ExitCode);
        await WaitUntil(() => !c.IsShimOfThisContainer(handle.ShimPid));
        // Once the shim is gone, an early wait is answered from exit.json, already finished.
        var (late, lateFinished) = await client.WaitEarlyAsync(null, CancellationToken.None);
        Assert.Equal(7, late.ExitCode);
        Assert.True(lateFinished.IsCompleted);
    }

    [Theory]
    [InlineData("quai")]
    [InlineData("runc")]
    public async Task Poststop_hooks_still_see_the_rootfs_mounted(string runtime)
    {
        Root.Require();
        using var marker = new TempDir("quai-poststop");
        var seen = marker.Combine("seen");
        // The hook finds the bundle in the state on its stdin and looks for busybox in the rootfs
        // the shim mounted there: the shim unmounts it only after `runtime delete` ran the hook.
        var script = "b=$(sed -n 's/.*\"bundle\":\"\\([^\"]*\\)\".*/\\1/p'); test -x \"$b/rootfs/bin/busybox\" && touch " + seen;
        using var c = new ShimTestContainer(runtime, s => s.Hooks = new Oci.Runtime.Hooks
        {
            Poststop = [new Oci.Runtime.Hook { Path = "/bin/sh", Args = ["sh", "-c", script] }],
        }, "true");
        var handle = await ShimLauncher.StartAsync(c.Options(), CancellationToken.None);
        var registered = new TaskCompletionSource();
        var waiting = new ShimClient(c.StateDir).WaitEarlyAsync(registered, CancellationToken.None);
        await registered.Task.WaitAsync(Timeout);
        c.Start();
        var (exit, finished) = await waiting.WaitAsync(Timeout);
        Assert.Equal(0, exit.ExitCode);
        await finished.WaitAsync(Timeout);
        Assert.True(File.Exists(seen), "the poststop hook did not see the rootfs mounted");
        await WaitUntil(() => !c.IsShimOfThisContainer(handle.ShimPid));
        Assert.Empty(TempDir.MountsBelow(c.Bundle));
    }

    [Theory]
    [InlineData("quai")]
    [InlineData("runc")]
    public async Task Exit_code_is_0_for_true_and_137_for_kill_9(string runtime)
    {
        Root.Require();
        using (var ok = new ShimTestContainer(runtime, null, "true"))
        {
            await ShimLauncher.StartAsync(ok.Options(), CancellationToken.None);
            ok.Start();
            var exit = await new ShimClient(ok.StateDir).WaitAsync(CancellationToken.None).WaitAsync(Timeout);
            Assert.Equal(0, exit.ExitCode);
        }
        using var killed = new ShimTestContainer(runtime, null, "sleep", "100");
        await ShimLauncher.StartAsync(killed.Options(), CancellationToken.None);
        killed.Start();
        killed.RuntimeCommand("kill", killed.Id, "KILL").EnsureSuccess();
        var status = await new ShimClient(killed.StateDir).WaitAsync(CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(137, status.ExitCode);
        Assert.Equal(Signals.SIGKILL, status.Signal);
        Assert.Equal(status, ShimClient.ReadExitFile(killed.StateDir));
    }

    [Theory]
    [InlineData("quai")]
    [InlineData("runc")]
    public async Task Stdin_through_attach_reaches_cat_and_a_half_close_gives_it_end_of_file(string runtime)
    {
        Root.Require();
        using var c = new ShimTestContainer(runtime, null, "sh", "-c", "cat; echo cat-done");
        await ShimLauncher.StartAsync(c.Options() with { Stdin = true, StdinOnce = true }, CancellationToken.None);
        var client = new ShimClient(c.StateDir);
        await using var attach = await client.AttachAsync(stdin: true, stdout: true, stderr: true, CancellationToken.None);
        c.Start();
        await attach.Stream.WriteAsync("line one\n"u8.ToArray());
        await Task.Delay(200);
        await attach.Stream.WriteAsync("line two\n"u8.ToArray());
        await attach.CloseStdinAsync();
        var (stdout, _) = await ShimTestContainer.ReadAllFramesAsync(attach.Stream, Timeout);
        Assert.Equal("line one\nline two\ncat-done\n", stdout);
        Assert.Equal(0, (await client.WaitAsync(CancellationToken.None).WaitAsync(Timeout)).ExitCode);
    }

    [Fact]
    public async Task Several_clients_get_the_streams_they_asked_for_and_closeStdin_ends_the_input()
    {
        Root.Require();
        using var c = new ShimTestContainer("quai", null, "sh", "-c", "cat; echo out-end; echo err-end >&2");
        await ShimLauncher.StartAsync(c.Options() with { Stdin = true }, CancellationToken.None);
        var client = new ShimClient(c.StateDir);
        await using var a = await client.AttachAsync(stdin: true, stdout: true, stderr: false, CancellationToken.None);
        await using var b = await client.AttachAsync(stdin: false, stdout: false, stderr: true, CancellationToken.None);
        c.Start();
        await a.Stream.WriteAsync("x\n"u8.ToArray());
        // Without --stdin-once a client's half-close leaves the process's stdin open.
        await a.CloseStdinAsync();
        await Task.Delay(300);
        Assert.True((await client.StateAsync(CancellationToken.None)).Running);
        await client.CloseStdinAsync(CancellationToken.None);
        var readA = ShimTestContainer.ReadAllFramesAsync(a.Stream, Timeout);
        var readB = ShimTestContainer.ReadAllFramesAsync(b.Stream, Timeout);
        Assert.Equal(("x\nout-end\n", ""), await readA);
        Assert.Equal(("", "err-end\n"), await readB);
        Assert.Equal(0, (await client.WaitAsync(CancellationToken.None).WaitAsync(Timeout)).ExitCode);
    }

    [Theory]
    [InlineData("quai")]
    [InlineData("runc")]
    public async Task A_terminal_gets_a_pty_and_resize_sets_its_size(string runtime)
    {
        Root.Require();
        using var c = new ShimTestContainer(runtime, s => s.Process!.Terminal = true, "sh");
        await ShimLauncher.StartAsync(c.Options() with { Terminal = true, Stdin = true }, CancellationToken.None);
        var client = new ShimClient(c.StateDir);
        await using var attach = await client.AttachAsync(stdin: true, stdout: true, stderr: true, CancellationToken.None);
        c.Start();
        await client.ResizeAsync(123, 45, CancellationToken.None);
        await attach.Stream.WriteAsync("[ -t 0 ] && echo IS-A-TTY; stty size; exit 5\n"u8.ToArray());
        var (stdout, stderr) = await ShimTestContainer.ReadAllFramesAsync(attach.Stream, Timeout);
        Assert.Equal("", stderr);
        Assert.Contains("IS-A-TTY\r\n", stdout, StringComparison.Ordinal);
        Assert.Contains("45 123\r\n", stdout, StringComparison.Ordinal);
        Assert.Equal(5, (await client.WaitAsync(CancellationToken.None).WaitAsync(Timeout)).ExitCode);
        // Terminal output is logged as stdout, "\r\n" as the pty made it.
        Assert.Contains(File.ReadAllLines(c.LogPath), l => l.Contains("\"log\":\"45 123\\r\\n\",\"stream\":\"stdout\"", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("quai")]
    [InlineData("runc")]
    public async Task An_oom_kill_in_the_containers_memory_cgroup_is_recorded(string runtime)
    {
        Root.Require();
        // dd's 64 MiB block buffer, filled from /dev/zero, does not fit in 16 MiB (no swap allowed).
        using var c = new ShimTestContainer(runtime, s => s.Linux!.Resources!.Memory = new Oci.Runtime.LinuxMemory { Limit = 16 << 20, Swap = 16 << 20 },
            "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1");
        await ShimLauncher.StartAsync(c.Options(), CancellationToken.None);
        c.Start();
        var exit = await new ShimClient(c.StateDir).WaitAsync(CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(137, exit.ExitCode);
        Assert.True(exit.OomKilled);
    }

    [Fact]
    public async Task Resize_without_a_terminal_is_refused_with_a_reason()
    {
        Root.Require();
        using var c = new ShimTestContainer("quai", null, "sleep", "100");
        await ShimLauncher.StartAsync(c.Options(), CancellationToken.None);
        var client = new ShimClient(c.StateDir);
        var e = await Assert.ThrowsAsync<ShimException>(() => client.ResizeAsync(80, 24, CancellationToken.None));
        Assert.Contains("no terminal", e.Message, StringComparison.Ordinal);
        c.Start();
        c.RuntimeCommand("kill", c.Id, "KILL").EnsureSuccess();
        Assert.Equal(137, (await client.WaitAsync(CancellationToken.None).WaitAsync(Timeout)).ExitCode);
    }

    [Theory]
    [InlineData("quai")]
    [InlineData("runc")]
    public async Task The_log_rotates_at_max_size_keeping_max_file_minus_one_old_files(string runtime)
    {
        Root.Require();
        using var c = new ShimTestContainer(runtime, null, "sh", "-c", "i=0; while [ $i -lt 100 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done");
        await ShimLauncher.StartAsync(c.Options() with { LogMaxSize = 1000, LogMaxFile = 3 }, CancellationToken.None);
        c.Start();
        Assert.Equal(0, (await new ShimClient(c.StateDir).WaitAsync(CancellationToken.None).WaitAsync(Timeout)).ExitCode);
        Assert.True(File.Exists(c.LogPath + ".1"));
        Assert.True(File.Exists(c.LogPath + ".2"));
        Assert.False(File.Exists(c.LogPath + ".3"));
        foreach (var f in new[] { c.LogPath, c.LogPath + ".1", c.LogPath + ".2" })
        {
            Assert.InRange(new FileInfo(f).Length, 1, 1000);
            foreach (var line in File.ReadAllLines(f))
            {
                using var doc = JsonDocument.Parse(line);
                Assert.StartsWith("line-", doc.RootElement.GetProperty("log").GetString(), StringComparison.Ordinal);
            }
        }
        Assert.Contains("line-99-", File.ReadAllLines(c.LogPath)[^1], StringComparison.Ordinal);
        // The files are in order: the newest old file (.1) ends right before the current one starts.
        var last1 = Number(File.ReadAllLines(c.LogPath + ".1")[^1]);
        var first0 = Number(File.ReadAllLines(c.LogPath)[0]);
        Assert.Equal(last1 + 1, first0);
    }

    [Theory]
    [InlineData("quai")]
    [InlineData("runc")]
    public async Task A_create_failure_reports_the_runtimes_error_and_leaves_nothing_behind(string runtime)
    {
        Root.Require();
        using var c = new ShimTestContainer(runtime, null, "nosuch-program");
        var e = await Assert.ThrowsAsync<ShimException>(() => ShimLauncher.StartAsync(c.Options(), CancellationToken.None));
        Assert.Contains("nosuch-program", e.Message, StringComparison.Ordinal);
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", e.Message, StringComparison.Ordinal);
        await WaitUntil(() => !c.AnyProcessMentionsId());
        Assert.False(c.AnyProcessMentionsId());
        Assert.NotEqual(0, c.RuntimeCommand("state", c.Id).ExitCode);
        Assert.Empty(TempDir.MountsBelow(c.Bundle));
        Assert.False(File.Exists(ShimClient.SocketPath(c.StateDir)));
        Assert.True(File.Exists(Path.Combine(c.StateDir, "shim.log")));
    }

    [Fact]
    public async Task Bad_arguments_are_reported_on_the_report_line()
    {
        Root.Require();
        using var c = new ShimTestContainer("quai", null, "true");
        var e = await Assert.ThrowsAsync<ShimException>(() => ShimLauncher.StartAsync(c.Options() with { RuntimePath = "/nonexistent/runtime" }, CancellationToken.None));
        Assert.Contains("/nonexistent/runtime", e.Message, StringComparison.Ordinal);
        Assert.Empty(TempDir.MountsBelow(c.Bundle));
        await WaitUntil(() => !c.AnyProcessMentionsId());
    }

    private static int Number(string line)
    {
        var log = JsonDocument.Parse(line).RootElement.GetProperty("log").GetString()!;
        return int.Parse(log.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void AssertLogEntry(string line, string log, string stream)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        Assert.Equal(log, root.GetProperty("log").GetString());
        Assert.Equal(stream, root.GetProperty("stream").GetString());
        Assert.Matches("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z$", root.GetProperty("time").GetString());
        Assert.Equal(["log", "stream", "time"], root.EnumerateObject().Select(p => p.Name));
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(100);
        }
    }
}
