using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Quai.E2E.Tests.Infra;

/// <summary>
/// A daemon under test (quaid or dockerd) on its own socket, data root and exec root under a
/// short private directory (/tmp/qe-xxxxxxxx: shim socket paths must stay under 108 bytes), and
/// the real docker CLI pointed at it through DOCKER_HOST.
/// </summary>
public abstract class Daemon : IAsyncDisposable
{
    private Process? _process;

    protected Daemon(string kind)
    {
        Kind = kind;
        Dir = "/tmp/qe-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        Directory.CreateDirectory(Dir);
        Directory.CreateDirectory(ConfigDir);
        File.WriteAllText(Path.Combine(ConfigDir, "config.json"), "{}");
        Watchdog.Start(Dir, Images.WorkDir);
    }

    /// <summary>"quaid" or "dockerd".</summary>
    public string Kind { get; }

    /// <summary>True for quaid.</summary>
    public bool IsQuaid => Kind == "quaid";

    /// <summary>The private directory holding everything this daemon writes.</summary>
    public string Dir { get; }

    /// <summary>The API socket.</summary>
    public string Socket => Path.Combine(Dir, "d.sock");

    /// <summary>--data-root.</summary>
    public string DataRoot => Path.Combine(Dir, "data");

    /// <summary>--exec-root.</summary>
    public string ExecRoot => Path.Combine(Dir, "run");

    /// <summary>The daemon's own log (stdout and stderr, or --log-file).</summary>
    public string LogFile => Path.Combine(Dir, "daemon.log");

    /// <summary>The docker CLI's configuration directory (DOCKER_CONFIG): never the user's ~/.docker.</summary>
    public string ConfigDir => Path.Combine(Dir, "cli");

    /// <summary>The daemon's process id while it runs.</summary>
    public int Pid => _process?.Id ?? 0;

    /// <summary>The executable and arguments that start the daemon.</summary>
    protected abstract (string File, IEnumerable<string> Args) Command();

    /// <summary>Starts the daemon and waits until `docker version` answers.</summary>
    public async Task StartAsync()
    {
        Directory.CreateDirectory(DataRoot);
        Directory.CreateDirectory(ExecRoot);
        var (file, args) = Command();
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["PATH"] = Binaries.Dir + ":" + Environment.GetEnvironmentVariable("PATH");
        var log = new StreamWriter(LogFile, append: true) { AutoFlush = true };
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _process = p;
        File.WriteAllText(Path.Combine(Dir, "daemon.pid.e2e"), p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (p.HasExited)
            {
                throw new InvalidOperationException($"{Kind} exited with {p.ExitCode} while starting:\n{Tail()}");
            }
            if (File.Exists(Socket) && (await DockerAsync(["version", "--format", "{{.Server.Version}}"], timeout: TimeSpan.FromSeconds(20))).ExitCode == 0)
            {
                return;
            }
            await Task.Delay(200);
        }
        throw new InvalidOperationException($"{Kind} did not answer on {Socket} within 90 s:\n{Tail()}");
    }

    /// <summary>Stops the daemon: SIGTERM (or SIGKILL with <paramref name="kill"/>), then waits for it.</summary>
    public async Task StopAsync(bool kill = false)
    {
        var p = _process;
        if (p is null)
        {
            return;
        }
        _process = null;
        if (!p.HasExited)
        {
            _ = Signal(p.Id, kill ? 9 : 15);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await p.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync();
            }
        }
        p.Dispose();
    }

    /// <summary>The last lines of the daemon's log, for failure messages.</summary>
    public string Tail(int lines = 30)
    {
        try
        {
            using var fs = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var sr = new StreamReader(fs);
            var all = sr.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    /// <summary>Runs `docker ARGS` against this daemon.</summary>
    public Task<CliResult> DockerAsync(IReadOnlyList<string> args, string? stdin = null, TimeSpan? timeout = null) =>
        Cli.RunAsync("docker", args, Env(), stdin, timeout ?? TimeSpan.FromSeconds(90));

    /// <summary>Runs `docker ARGS`; shorthand.</summary>
    public Task<CliResult> D(params string[] args) => DockerAsync(args);

    /// <summary>Runs `docker ARGS`, asserts exit 0 and returns stdout without its trailing newline.</summary>
    public async Task<string> Ok(params string[] args) => (await DockerAsync(args)).Ok().Out;

    /// <summary>Runs a bash command line (pipes, script(1)) with DOCKER_HOST set to this daemon.</summary>
    public Task<CliResult> ShAsync(string commandLine, string? stdin = null, TimeSpan? timeout = null) =>
        Cli.RunAsync("bash", ["-c", commandLine], Env(), stdin, timeout ?? TimeSpan.FromSeconds(90));

    /// <summary>`docker inspect -f FORMAT NAME`, trimmed.</summary>
    public Task<string> Inspect(string name, string format) => Ok("inspect", "-f", format, name);

    /// <summary>Polls `docker inspect -f FORMAT` until it prints <paramref name="expected"/>.</summary>
    public async Task WaitFor(string name, string format, string expected, int seconds = 30)
    {
        var last = "";
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            var r = await D("inspect", "-f", format, name);
            last = r.ExitCode == 0 ? r.Out : r.Stderr;
            if (last == expected)
            {
                return;
            }
            await Task.Delay(200);
        }
        throw new Xunit.Sdk.XunitException($"{Kind}: {name} {format} is '{last}', waited {seconds} s for '{expected}'");
    }

    /// <summary>A unique container/volume/image name for one test.</summary>
    public static string Name(string what) => "e2e-" + what + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));

    /// <summary>The environment the CLI runs with.</summary>
    public Dictionary<string, string> Env() => new()
    {
        ["DOCKER_HOST"] = "unix://" + Socket,
        ["DOCKER_CONFIG"] = ConfigDir,
        ["DOCKER_CLI_HINTS"] = "false",
        ["DOCKER_BUILDKIT"] = "0",
    };

    /// <summary>Removes every container (the daemon still running), stops it and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_process is { HasExited: false })
        {
            var ids = await DockerAsync(["ps", "-aq"], timeout: TimeSpan.FromSeconds(30));
            if (ids.ExitCode == 0 && ids.Lines.Length > 0)
            {
                _ = await DockerAsync(["rm", "-f", "-v", .. ids.Lines], timeout: TimeSpan.FromSeconds(60));
            }
        }
        await StopAsync();
        CleanUpLeftovers();
    }

    /// <summary>Kills processes still running out of this daemon's directory (shims, containerd), unmounts and deletes it.</summary>
    protected void CleanUpLeftovers()
    {
        foreach (var pid in ProcessesMentioning(Dir))
        {
            _ = Signal(pid, 9);
        }
        Thread.Sleep(200);
        for (var i = 0; i < 3; i++)
        {
            foreach (var m in Quai.Testing.TempDir.MountsBelow(Dir))
            {
                _ = Umount(m);
            }
        }
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        RemoveCgroupParent("/sys/fs/cgroup", Path.GetFileName(Dir));
    }

    /// <summary>
    /// The daemon's --cgroup-parent (/qe-…) in every hierarchy: dockerd and quaid make it for their
    /// containers and, like docker with any parent it was given, leave it when they stop.
    /// </summary>
    private static void RemoveCgroupParent(string cgroupRoot, string name)
    {
        // Processes just killed may take a moment to leave their cgroups: retry for a few seconds.
        for (var attempt = 0; attempt < 30; attempt++)
        {
            var left = false;
            foreach (var hierarchy in Directory.EnumerateDirectories(cgroupRoot).Prepend(cgroupRoot))
            {
                var parent = Path.Combine(hierarchy, name);
                if (!Directory.Exists(parent))
                {
                    continue;
                }
                // rmdir leaf first; a cgroup still holding a process stays (and the leak tests say so).
                try
                {
                    foreach (var dir in Directory.EnumerateDirectories(parent, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).Append(parent))
                    {
                        try
                        {
                            Directory.Delete(dir);
                        }
                        catch (IOException)
                        {
                        }
                    }
                }
                catch (IOException)
                {
                    // A directory went while it was listed: the next attempt sees the rest.
                }
                left |= Directory.Exists(parent);
            }
            if (!left)
            {
                return;
            }
            Thread.Sleep(100);
        }
    }

    // Processes whose command line names our private directory: started (directly or through
    // the daemon) by this fixture only, so killing them by pid touches nothing else.
    private static List<int> ProcessesMentioning(string dir)
    {
        var result = new List<int>();
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                var cmd = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(d, "cmdline"))).Replace('\0', ' ');
                if (cmd.Contains(dir + "/", StringComparison.Ordinal) || cmd.EndsWith(dir, StringComparison.Ordinal))
                {
                    result.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return result;
    }

    private static int Signal(int pid, int sig) => Native.Kill(pid, sig);

    private static int Umount(string path) => Native.Umount2(path, 2 /* MNT_DETACH */);
}
