using System.Diagnostics;
using Quai.Linux;
using Quai.Linux.Interop;
using Quai.Shim.Client;
using Quai.Testing;
using Xunit.Abstractions;
using OciProcess = Quai.Oci.Runtime.Process;
using OciUser = Quai.Oci.Runtime.User;

namespace Quai.Shim.Tests;

/// <summary>Exec mode, the container outliving the process that launched the shim, and the shim's memory (root, real containers).</summary>
public class ExecAndLifetimeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("quai")]
    [InlineData("runc")]
    public async Task An_exec_process_output_comes_through_attach_and_its_exit_code_through_wait(string runtime)
    {
        Root.Require();
        using var c = new ShimTestContainer(runtime, null, "sleep", "100");
        await ShimLauncher.StartAsync(c.Options(), CancellationToken.None);
        c.Start();

        var process = new OciProcess
        {
            Args = ["sh", "-c", "echo exec-out; echo exec-err >&2; exit 4"],
            Env = ["PATH=/bin:/usr/bin"],
            Cwd = "/",
            User = new OciUser { Uid = 0, Gid = 0 },
        };
        var options = c.ExecOptions("e1", process);
        var handle = await ShimLauncher.StartAsync(options, CancellationToken.None);
        Assert.True(handle.Pid > 0);
        var client = new ShimClient(options.StateDir);
        // The process may have finished before this attach: its output was kept for the first one.
        await using (var attach = await client.AttachAsync(stdin: false, stdout: true, stderr: true, CancellationToken.None))
        {
            var (stdout, stderr) = await ShimTestContainer.ReadAllFramesAsync(attach.Stream, Timeout);
            Assert.Equal("exec-out\n", stdout);
            Assert.Equal("exec-err\n", stderr);
        }
        Assert.Equal(4, (await client.WaitAsync(CancellationToken.None).WaitAsync(Timeout)).ExitCode);
        Assert.True(File.Exists(Path.Combine(options.StateDir, "exec-e1.pid")));

        // The container is untouched by the exec's end.
        var containerState = await new ShimClient(c.StateDir).StateAsync(CancellationToken.None);
        Assert.True(containerState.Running);
        c.RuntimeCommand("kill", c.Id, "KILL").EnsureSuccess();
        Assert.Equal(137, (await new ShimClient(c.StateDir).WaitAsync(CancellationToken.None).WaitAsync(Timeout)).ExitCode);
    }

    [Theory]
    [InlineData("quai")]
    [InlineData("runc")]
    public async Task An_exec_with_a_missing_program_reports_the_error(string runtime)
    {
        Root.Require();
        using var c = new ShimTestContainer(runtime, null, "sleep", "100");
        await ShimLauncher.StartAsync(c.Options(), CancellationToken.None);
        c.Start();
        var process = new OciProcess { Args = ["nosuch-exec"], Env = ["PATH=/bin"], Cwd = "/", User = new OciUser() };
        var e = await Assert.ThrowsAsync<ShimException>(() => ShimLauncher.StartAsync(c.ExecOptions("bad", process), CancellationToken.None));
        Assert.Contains("nosuch-exec", e.Message, StringComparison.Ordinal);
        c.RuntimeCommand("kill", c.Id, "KILL").EnsureSuccess();
        Assert.Equal(137, (await new ShimClient(c.StateDir).WaitAsync(CancellationToken.None).WaitAsync(Timeout)).ExitCode);
    }

    [Fact]
    public async Task The_container_survives_a_sigkill_of_the_process_that_launched_the_shim()
    {
        Root.Require();
        using var c = new ShimTestContainer("quai", null, "sh", "-c", "sleep 1; echo survived; exit 7");
        var report = Path.Combine(c.RuntimeRoot + "-report");
        // A launcher that is not this test process: sh starts the shim, then lingers until killed.
        var args = string.Join(' ', c.Options().ToArguments().Select(a => $"'{a}'"));
        var psi = new ProcessStartInfo("/bin/sh", ["-c", $"'{ShimBinary.Path}' {args} 3>'{report}'; exec sleep 1000"]) { UseShellExecute = false };
        using var launcher = System.Diagnostics.Process.Start(psi)!;
        await ContainerModeTests.WaitUntil(() => File.Exists(report) && File.ReadAllText(report).EndsWith('\n'));
        Assert.StartsWith("ok ", File.ReadAllText(report), StringComparison.Ordinal);
        launcher.Kill();
        await launcher.WaitForExitAsync();

        var shimPid = c.ShimPid();
        Assert.True(c.IsShimOfThisContainer(shimPid));
        var client = new ShimClient(c.StateDir);
        await using var attach = await client.AttachAsync(stdin: false, stdout: true, stderr: false, CancellationToken.None);
        c.Start();
        var (stdout, _) = await ShimTestContainer.ReadAllFramesAsync(attach.Stream, Timeout);
        Assert.Equal("survived\n", stdout);
        Assert.Equal(7, (await client.WaitAsync(CancellationToken.None).WaitAsync(Timeout)).ExitCode);
    }

    [Fact]
    public async Task Idle_shim_memory_is_reported()
    {
        Root.Require();
        using var c = new ShimTestContainer("quai", null, "sleep", "100");
        var handle = await ShimLauncher.StartAsync(c.Options(), CancellationToken.None);
        c.Start();
        var client = new ShimClient(c.StateDir);
        Assert.True((await client.StateAsync(CancellationToken.None)).Running);
        await Task.Delay(500);
        // VmRSS counts the binary's and libc's pages, which every shim shares; RssAnon is each one's own.
        var status = File.ReadAllLines($"/proc/{handle.ShimPid}/status")
            .Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal) || l.StartsWith("RssAnon:", StringComparison.Ordinal) || l.StartsWith("RssFile:", StringComparison.Ordinal) || l.StartsWith("Threads:", StringComparison.Ordinal))
            .Select(l => string.Join(' ', l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
        output.WriteLine($"idle quai-shim ({ShimBinary.Path}): {string.Join(", ", status)}");
        Assert.Equal(0, Libc.Kill(handle.Pid, Signals.SIGKILL));
        Assert.Equal(137, (await client.WaitAsync(CancellationToken.None).WaitAsync(Timeout)).ExitCode);
    }
}
