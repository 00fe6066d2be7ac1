using System.Diagnostics;
using Quai.Testing;

namespace Quai.Cli.Tests.Integration;

/// <summary>
/// A private dockerd for one test class (Debian's docker.io): its own data root, exec root,
/// socket and pid file under /tmp, no bridge, no iptables; a busybox image imported from the
/// rootfs Quai.Testing builds. The real docker CLI and quai both talk to it, so their outputs
/// can be compared. QUAI_CLI_TEST_HOST=unix:///path points the tests at a running daemon
/// (quaid) instead. Everything is stopped, unmounted and removed on dispose.
/// </summary>
public sealed class DockerdFixture : IAsyncLifetime
{
    /// <summary>The image the tests run.</summary>
    public const string Image = "quai-cli-busybox:latest";

    private Process? _dockerd;

    /// <summary>The private directory (socket, data, exec root).</summary>
    public string Dir { get; } = Path.Combine("/tmp", "qcli-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The daemon address both CLIs use.</summary>
    public string Host { get; private set; } = "";

    /// <summary>The quai binary under test (built next to this test project).</summary>
    public static string QuaiBinary
    {
        get
        {
            var baseDir = AppContext.BaseDirectory;
            var config = baseDir.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            var root = baseDir;
            while (!File.Exists(Path.Combine(root, "Quai.slnx")))
            {
                root = Path.GetDirectoryName(root.TrimEnd('/')) ?? throw new InvalidOperationException("Quai.slnx not found above " + baseDir);
            }
            var path = Path.Combine(root, "src", "quai", "bin", config, "net10.0", "linux-x64", "quai");
            return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: build src/quai (dotnet build tests/Quai.Cli.Tests builds it)");
        }
    }

    public async Task InitializeAsync()
    {
        Root.Require();
        if (Environment.GetEnvironmentVariable("QUAI_CLI_TEST_HOST") is { Length: > 0 } external)
        {
            Host = external;
        }
        else
        {
            await StartDockerdAsync();
        }
        Directory.CreateDirectory(Dir);
        var rootfs = Path.Combine(Dir, "rootfs");
        Busybox.CreateRootfs(rootfs);
        var import = await ShellAsync($"tar -C {rootfs} -c . | docker import -c 'ENV PATH=/bin' - {Image}");
        if (import.ExitCode != 0)
        {
            throw new InvalidOperationException("docker import of the busybox rootfs failed: " + import);
        }
    }

    private async Task StartDockerdAsync()
    {
        Directory.CreateDirectory(Path.Combine(Dir, "data"));
        Directory.CreateDirectory(Path.Combine(Dir, "exec"));
        await File.WriteAllTextAsync(Path.Combine(Dir, "daemon.json"), "{}");
        Host = "unix://" + Path.Combine(Dir, "docker.sock");
        var psi = new ProcessStartInfo("dockerd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
        {
            "--config-file", Path.Combine(Dir, "daemon.json"), "--data-root", Path.Combine(Dir, "data"),
            "--exec-root", Path.Combine(Dir, "exec"), "--pidfile", Path.Combine(Dir, "docker.pid"), "-H", Host,
            "--bridge=none", "--iptables=false", "--ip-masq=false", "--ip6tables=false", "--userland-proxy=false", "--log-level", "warn",
        })
        {
            psi.ArgumentList.Add(a);
        }
        _dockerd = Process.Start(psi) ?? throw new InvalidOperationException("could not start dockerd (apt-get install docker.io)");
        _dockerd.OutputDataReceived += (_, _) => { };
        _dockerd.ErrorDataReceived += (_, _) => { };
        _dockerd.BeginOutputReadLine();
        _dockerd.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(Path.Combine(Dir, "docker.sock")) && (await DockerAsync("version")).ExitCode == 0)
            {
                return;
            }
            if (_dockerd.HasExited)
            {
                throw new InvalidOperationException($"dockerd exited with {_dockerd.ExitCode} at startup");
            }
            await Task.Delay(100);
        }
        throw new InvalidOperationException("dockerd did not answer within 60 s at " + Host);
    }

    public async Task DisposeAsync()
    {
        if (Host.Length > 0)
        {
            var ids = await DockerAsync("ps", "-aq");
            foreach (var id in ids.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                await DockerAsync("rm", "-f", id);
            }
        }
        if (_dockerd is { HasExited: false })
        {
            // SIGTERM first: dockerd then stops the containerd it started under its exec root.
            using (var kill = Process.Start("kill", ["-TERM", _dockerd.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _dockerd.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _dockerd.Kill(entireProcessTree: true);
                await _dockerd.WaitForExitAsync();
            }
        }
        _dockerd?.Dispose();
        foreach (var m in TempDir.MountsBelow(Dir).OrderByDescending(m => m.Length))
        {
            using var umount = Process.Start("umount", ["-l", m]);
            await umount.WaitForExitAsync();
        }
        if (Directory.Exists(Dir))
        {
            Directory.Delete(Dir, recursive: true);
        }
    }

    /// <summary>Runs the real docker CLI against the daemon.</summary>
    public Task<CommandResult> DockerAsync(params string[] args) => RunAsync("docker", args, null);

    /// <summary>Runs quai against the daemon.</summary>
    public Task<CommandResult> QuaiAsync(params string[] args) => RunAsync(QuaiBinary, args, null);

    /// <summary>Runs a CLI with <paramref name="stdin"/> piped in (null: no stdin).</summary>
    public async Task<CommandResult> RunAsync(string program, string[] args, string? stdin, Dictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["DOCKER_HOST"] = Host;
        psi.Environment.Remove("QUAI_HOST");
        psi.Environment.Remove("DOCKER_API_VERSION");
        psi.Environment["DOCKER_CONFIG"] = Path.Combine(Dir, "config");
        foreach (var (k, v) in env ?? [])
        {
            psi.Environment[k] = v;
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin);
        }
        p.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in 90 s");
        }
        return new CommandResult(p.ExitCode, await stdout, await stderr);
    }

    private async Task<CommandResult> ShellAsync(string script) => await RunAsync("bash", ["-c", script], null);
}
