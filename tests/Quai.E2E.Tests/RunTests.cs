using Quai.E2E.Tests.Infra;

namespace Quai.E2E.Tests;

/// <summary>docker run: exit codes, stdin, ptys, and the container's process settings.</summary>
public sealed class RunTests
{
    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Exit_codes_are_the_commands_and_the_clis(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var ok = (await d.D("run", "--rm", "busybox", "echo", "hello")).Exit(0);
        Assert.Equal("hello\n", ok.Stdout);
        (await d.D("run", "--rm", "busybox", "sh", "-c", "exit 3")).Exit(3);
        var badFlag = (await d.D("run", "--rm", "--no-such-flag", "busybox", "true")).Exit(125);
        Assert.Contains("unknown flag: --no-such-flag", badFlag.Stderr, StringComparison.Ordinal);
        var daemonError = (await d.D("run", "--rm", "--memory", "-5", "busybox", "true"));
        Assert.Equal(125, daemonError.ExitCode);
        var denied = (await d.D("run", "--rm", "busybox", "/etc/passwd")).Exit(126);
        Assert.Contains("permission denied", denied.Stderr, StringComparison.OrdinalIgnoreCase);
        var missing = (await d.D("run", "--rm", "busybox", "no-such-command")).Exit(127);
        Assert.Contains("no-such-command", missing.Stderr, StringComparison.Ordinal);
        var noImage = (await d.D("run", "--rm", "--pull", "never", "e2e-no-such-image:1", "true")).Exit(125);
        Assert.Contains("No such image", noImage.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Stdin_is_piped_and_half_closed(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var r = (await d.DockerAsync(["run", "-i", "--rm", "busybox", "cat"], stdin: "x\n")).Exit(0);
        Assert.Equal("x\n", r.Stdout);
        var wc = (await d.DockerAsync(["run", "-i", "--rm", "busybox", "wc", "-l"], stdin: "a\nb\nc\n")).Exit(0);
        Assert.Equal("3", wc.Out.Trim());
        var sh = await d.ShAsync("echo x | docker run -i --rm busybox sh -c 'cat; exit 7'");
        Assert.Equal(7, sh.ExitCode);
        Assert.Equal("x\n", sh.Stdout);
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Run_it_gets_a_terminal_of_the_callers_size_and_its_exit_code(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var r = await d.ShAsync("script -qec \"stty rows 33 cols 101; docker run -it --rm busybox sh -c 'tty; sleep 1; stty size; exit 4'\" /dev/null");
        Assert.True(r.ExitCode == 4, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("/dev/pts/", StringComparison.Ordinal));
        Assert.Contains("33 101", lines);
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task User_workdir_env_and_entrypoint_apply(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        Assert.Equal("33 33", (await d.D("run", "--rm", "--user", "www", "busybox", "sh", "-c", "echo $(id -u) $(id -g)")).Ok().Out);
        Assert.Equal("1000:1001", (await d.D("run", "--rm", "-u", "1000:1001", "busybox", "sh", "-c", "echo $(id -u):$(id -g)")).Ok().Out);
        Assert.Equal("/srv/app", (await d.D("run", "--rm", "--workdir", "/srv/app", "busybox", "pwd")).Ok().Out);
        Assert.Equal("B C", (await d.D("run", "--rm", "--env", "A=B C", "-e", "X", "busybox", "sh", "-c", "echo $A$X")).Ok().Out);
        Assert.Equal("from-entrypoint", (await d.D("run", "--rm", "--entrypoint", "echo", "busybox", "from-entrypoint")).Ok().Out);
        var hostname = (await d.D("run", "--rm", "--hostname", "box1", "busybox", "hostname")).Ok().Out;
        Assert.Equal("box1", hostname);
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Read_only_rootfs_refuses_writes_but_tmpfs_and_bind_accept_them(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var ro = await d.D("run", "--rm", "--read-only", "busybox", "touch", "/x");
        Assert.Equal(1, ro.ExitCode);
        Assert.Contains("Read-only file system", ro.Stderr, StringComparison.Ordinal);
        (await d.D("run", "--rm", "--read-only", "--mount", "type=tmpfs,destination=/scratch", "busybox", "touch", "/scratch/x")).Ok();
        using var host = new Quai.Testing.TempDir("qe-bind");
        File.WriteAllText(host.Combine("in.txt"), "from-host");
        Assert.Equal("from-host", (await d.D("run", "--rm", "-v", host.Path + ":/c:ro", "busybox", "cat", "/c/in.txt")).Ok().Out);
        var roBind = await d.D("run", "--rm", "-v", host.Path + ":/c:ro", "busybox", "touch", "/c/new");
        Assert.Equal(1, roBind.ExitCode);
        Assert.Contains("Read-only file system", roBind.Stderr, StringComparison.Ordinal);
        (await d.D("run", "--rm", "--mount", $"type=bind,source={host.Path},target=/rw", "busybox", "sh", "-c", "echo out > /rw/out.txt")).Ok();
        Assert.Equal("out\n", File.ReadAllText(host.Combine("out.txt")));
        var fsType = (await d.D("run", "--rm", "--mount", "type=tmpfs,destination=/t", "busybox", "sh", "-c", "grep ' /t ' /proc/mounts | cut -d' ' -f3")).Ok().Out;
        Assert.Equal("tmpfs", fsType);
    }
}
