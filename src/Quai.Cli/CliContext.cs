using Quai.Cli.Api;
using Quai.Cli.Terminal;

namespace Quai.Cli;

/// <summary>What a verb needs: the output writers, stdin, the environment and the API client.</summary>
public sealed class CliContext : IDisposable
{
    private DockerClient? _client;

    /// <summary>A context over the process's own streams and environment.</summary>
    public CliContext(DaemonHost host, string configDir, Func<string, string?> env)
    {
        Host = host;
        ConfigDir = configDir;
        Env = env;
        StdOut = Console.OpenStandardOutput();
        StdErr = Console.OpenStandardError();
        // Not Console.OpenStandardInput: on a terminal .NET reads that through its own line
        // editor, which echoes what is typed (a second echo next to the container's in -it).
        StdIn = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(0, ownsHandle: false), FileAccess.Read, 1);
        Out = new StreamWriter(StdOut) { AutoFlush = true, NewLine = "\n" };
        Err = new StreamWriter(StdErr) { AutoFlush = true, NewLine = "\n" };
    }

    /// <summary>The daemon to talk to.</summary>
    public DaemonHost Host { get; }

    /// <summary>docker's config directory (config.json with "auths").</summary>
    public string ConfigDir { get; }

    /// <summary>Environment lookup.</summary>
    public Func<string, string?> Env { get; }

    /// <summary>Standard output as text.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error as text.</summary>
    public TextWriter Err { get; }

    /// <summary>Standard output as bytes (container output, tar streams).</summary>
    public Stream StdOut { get; }

    /// <summary>Standard error as bytes.</summary>
    public Stream StdErr { get; }

    /// <summary>Standard input as bytes.</summary>
    public Stream StdIn { get; }

    /// <summary>Whether stdin is a terminal.</summary>
    public bool StdinIsTerminal => RawTerminal.IsTerminal(0);

    /// <summary>Whether stdout is a terminal.</summary>
    public bool StdoutIsTerminal => RawTerminal.IsTerminal(1);

    /// <summary>The API client, created on first use.</summary>
    public DockerClient Client => _client ??= new DockerClient(Host, Env("DOCKER_API_VERSION"));

    /// <inheritdoc/>
    public void Dispose()
    {
        _client?.Dispose();
        Out.Flush();
        Err.Flush();
    }
}
