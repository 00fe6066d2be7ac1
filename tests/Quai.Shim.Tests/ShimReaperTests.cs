using Quai.Shim.Client;
using Quai.Testing;

namespace Quai.Shim.Tests;

/// <summary>The launcher spawns the shim once and reaps it: a shim that ended is no zombie (root, real containers).</summary>
public class ShimReaperTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_shim_is_a_child_of_its_launcher_in_its_own_session_and_is_reaped_when_it_ends()
    {
        Root.Require();
        using var c = new ShimTestContainer("quai", null, "true");
        var handle = await ShimLauncher.StartAsync(c.Options(), CancellationToken.None);
        Assert.True(handle.ShimPid > 0);
        var stat = Stat(handle.ShimPid);
        Assert.Equal(Environment.ProcessId, stat.PPid);
        // setsid(2): the shim leads its own session, so the launcher's terminal signals never reach it.
        Assert.Equal(handle.ShimPid, stat.Session);

        c.Start();
        Assert.Equal(0, (await new ShimClient(c.StateDir).WaitAsync(CancellationToken.None).WaitAsync(Timeout)).ExitCode);
        // The shim exits after its last client; then SIGCHLD has it reaped: /proc/PID goes away
        // (a zombie would keep it, in state Z).
        var deadline = DateTime.UtcNow + Timeout;
        while (Directory.Exists($"/proc/{handle.ShimPid}") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        if (Directory.Exists($"/proc/{handle.ShimPid}"))
        {
            Assert.Fail($"shim {handle.ShimPid} is still there: {File.ReadAllText($"/proc/{handle.ShimPid}/stat")}");
        }
    }

    private static (int PPid, int Session) Stat(int pid)
    {
        // proc(5): fields after the parenthesised command: state ppid pgrp session …
        var text = File.ReadAllText($"/proc/{pid}/stat");
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture));
    }
}
