namespace Quai.Cli.Api;

/// <summary>No daemon answered at the host: docker's "Cannot connect to the Docker daemon" case.</summary>
public sealed class DaemonUnreachableException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The message docker prints for <paramref name="host"/> (naming quaid for Quai's default socket).</summary>
    public static string MessageFor(DaemonHost host) => host.IsDefaultQuai
        ? $"Cannot connect to the Quai daemon at {host.Uri}. Is quaid running?"
        : $"Cannot connect to the Docker daemon at {host.Uri}. Is the docker daemon running?";
}
