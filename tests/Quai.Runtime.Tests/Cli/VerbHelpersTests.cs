using Quai.Oci.Runtime;
using Quai.Runtime.Cli;
using Quai.Runtime.Cli.Verbs;

namespace Quai.Runtime.Tests.Cli;

public class VerbHelpersTests
{
    [Fact]
    public void Ps_filter_keeps_header_and_container_pids()
    {
        const string ps = "UID        PID  PPID  C STIME TTY          TIME CMD\nroot         1     0  0 10:00 ?        00:00:01 /sbin/init\nroot       120     1  0 10:00 ?        00:00:00 sleep 100\nroot       121   120  0 10:00 ?        00:00:00 sh\n";
        var filtered = PsVerb.Filter(ps, [120, 121]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, filtered.Length);
        Assert.StartsWith("UID", filtered[0], StringComparison.Ordinal);
        Assert.Contains("sleep 100", filtered[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Exec_process_merges_flags_over_the_container_defaults()
    {
        var defaults = new Process { Args = ["sleep", "100"], Env = ["PATH=/bin", "A=1"], Cwd = "/", Capabilities = new Capabilities { Bounding = ["CAP_KILL"] } };
        var args = ArgParser.Parse(["--env", "A=2", "-e", "B=3", "--user", "1000:100", "--cwd", "/tmp", "--cap", "CAP_NET_RAW", "--no-new-privs", "c1", "sh", "-c", "id"], ExecVerb.Definition.Flags);
        var p = ExecVerb.BuildProcess(defaults, args);
        Assert.Equal(["sh", "-c", "id"], p.Args);
        Assert.Equal(["PATH=/bin", "A=2", "B=3"], p.Env);
        Assert.Equal(1000u, p.User.Uid);
        Assert.Equal(100u, p.User.Gid);
        Assert.Equal("/tmp", p.Cwd);
        Assert.Contains("CAP_NET_RAW", p.Capabilities!.Bounding!);
        Assert.Contains("CAP_NET_RAW", p.Capabilities.Effective!);
        Assert.True(p.NoNewPrivileges);
        Assert.Equal(["sleep", "100"], defaults.Args);
    }

    [Fact]
    public void Update_flags_become_resources()
    {
        var args = ArgParser.Parse(["--memory", "1048576", "--cpu-quota=50000", "--pids-limit", "10", "c1"], UpdateVerb.Definition.Flags);
        var r = UpdateVerb.Resources(args);
        Assert.Equal(1048576, r.Memory!.Limit);
        Assert.Equal(50000, r.Cpu!.Quota);
        Assert.Equal(10, r.Pids!.Limit);
    }

    [Fact]
    public void Json_log_lines_are_what_containerd_parses()
    {
        var line = RuntimeLog.Format("error", "container \"x\" failed", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), json: true);
        using var doc = System.Text.Json.JsonDocument.Parse(line);
        Assert.Equal("error", doc.RootElement.GetProperty("level").GetString());
        Assert.Equal("container \"x\" failed", doc.RootElement.GetProperty("msg").GetString());
        Assert.StartsWith("2026-01-02T03:04:05", doc.RootElement.GetProperty("time").GetString(), StringComparison.Ordinal);
        var text = RuntimeLog.Format("error", "boom", DateTimeOffset.UnixEpoch, json: false);
        Assert.Contains("level=error msg=\"boom\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_and_unknown_verb()
    {
        Assert.Equal(0, RuntimeCli.Run(["--version"]));
        Assert.Equal(1, RuntimeCli.Run(["frobnicate"]));
        Assert.Equal(1, RuntimeCli.Run(["kill"]));
    }
}
