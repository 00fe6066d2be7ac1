using System.Text;
using Quai.Testing;

namespace Quai.Runtime.Tests.Conformance;

/// <summary>process.terminal with --console-socket (runc docs/terminals.md): the pty master arrives over SCM_RIGHTS.</summary>
public sealed class TerminalTests
{
    // A subreaper in Debian's essential perl-base (prctl(2) PR_SET_CHILD_SUBREAPER = 36, syscall
    // 157 on x86-64): it runs `create` and then reaps the container init that is reparented to
    // it, printing "PID STATUS" per child, as a container shim does.
    private const string Subreaper =
        "syscall(157, 36, 1, 0, 0, 0) == 0 or die \"prctl: $!\"; system { $ARGV[0] } @ARGV; print \"create $?\\n\"; " +
        "while ((my $p = wait()) > 0) { print \"$p $?\\n\" }";

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public async Task Console_socket_receives_a_working_pty_master(string runtime)
    {
        using var c = new ConformanceContainer(runtime, "sh");
        c.Spec.Process!.Terminal = true;
        c.WriteConfig();
        using var console = new ConsoleSocket(c.Scratch("console.sock"));
        var create = Task.Run(() => c.CliWith(TimeSpan.FromSeconds(30), null, ["/usr/bin/perl", "-e", Subreaper], "create", "--bundle", c.Bundle, "--console-socket", console.Path, c.Id));
        using var master = console.ReceiveMaster(TimeSpan.FromSeconds(10));
        await using var pty = new FileStream(master, FileAccess.ReadWrite, bufferSize: 0);
        var pid = c.WaitForStatus("created").Pid;
        c.Start();
        await pty.WriteAsync(Encoding.ASCII.GetBytes("echo hi; exit 7\n"));

        var output = new StringBuilder();
        var buffer = new byte[4096];
        var read = Task.Run(() =>
        {
            try
            {
                int n;
                while ((n = pty.Read(buffer)) > 0)
                {
                    output.Append(Encoding.UTF8.GetString(buffer, 0, n));
                }
            }
            catch (IOException)
            {
                // EIO: the last slave fd closed, the shell is gone (pty(7)).
            }
        });
        var result = await create;
        Assert.True(result.ExitCode == 0 && result.Stdout.StartsWith("create 0\n", StringComparison.Ordinal), result.ToString());
        // The init's wait status: exit code 7 in the high byte.
        Assert.Contains($"{pid} {7 << 8}\n", result.Stdout, StringComparison.Ordinal);
        await read.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("hi\r\n", output.ToString(), StringComparison.Ordinal);
    }
}
