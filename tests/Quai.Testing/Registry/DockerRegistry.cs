using System.Diagnostics;

namespace Quai.Testing.Registry;

/// <summary>
/// Debian's docker-registry (distribution 2.8, /usr/bin/docker-registry) on 127.0.0.1 with its
/// storage in a temporary directory, optionally with htpasswd Basic auth; killed and removed on dispose.
/// </summary>
public sealed class DockerRegistry : IAsyncDisposable
{
    /// <summary>Where Debian's package installs the binary.</summary>
    public const string BinaryPath = "/usr/bin/docker-registry";

    private readonly Process _process;
    private readonly TempDir _dir;

    private DockerRegistry(Process process, TempDir dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>"127.0.0.1:port", the domain of references into it.</summary>
    public string Host => "127.0.0.1:" + Port;

    /// <summary>Starts a registry; with <paramref name="user"/>, an htpasswd file (`htpasswd -Bbn`) guards it.</summary>
    public static async Task<DockerRegistry> StartAsync(string? user = null, string? password = null)
    {
        if (!File.Exists(BinaryPath))
        {
            throw new InvalidOperationException($"{BinaryPath} is missing: install Debian's docker-registry (scripts/deps.sh)");
        }
        var dir = new TempDir("quai-docker-registry");
        var port = FreePort.Next();
        var auth = "";
        if (user is not null)
        {
            var htpasswd = dir.Combine("htpasswd");
            await File.WriteAllTextAsync(htpasswd, Htpasswd.Create(user, password ?? ""));
            auth = $"auth:\n  htpasswd:\n    realm: quai-test\n    path: {htpasswd}\n";
        }
        var config = dir.Combine("config.yml");
        await File.WriteAllTextAsync(config,
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n" +
            $"storage:\n  filesystem:\n    rootdirectory: {dir.Combine("data")}\n  delete:\n    enabled: true\n" +
            $"http:\n  addr: 127.0.0.1:{port}\n" + auth);
        var process = Process.Start(new ProcessStartInfo(BinaryPath) { ArgumentList = { "serve", config }, RedirectStandardOutput = true, RedirectStandardError = true })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new DockerRegistry(process, dir, port);
        using var http = new HttpClient();
        for (var i = 0; i < 100; i++)
        {
            if (process.HasExited)
            {
                break;
            }
            try
            {
                using var r = await http.GetAsync($"http://127.0.0.1:{port}/v2/");
                return registry;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(50);
            }
        }
        await registry.DisposeAsync();
        throw new InvalidOperationException($"docker-registry did not start on port {port}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _dir.Dispose();
    }
}
