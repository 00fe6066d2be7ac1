using Docker.DotNet;
using Quai.E2E.Tests.Infra;

namespace Quai.Clients.Tests;

/// <summary>Docker.DotNet clients on a test daemon's unix socket.</summary>
internal static class DockerClients
{
    /// <summary>A new client for <paramref name="daemon"/>; the caller disposes it.</summary>
    public static DockerClient For(Daemon daemon) =>
        new DockerClientConfiguration(new Uri("unix://" + daemon.Socket), defaultTimeout: TimeSpan.FromSeconds(60)).CreateClient();

    /// <summary>Reads a multiplexed stream to its end and returns stdout and stderr as text.</summary>
    public static async Task<(string Stdout, string Stderr)> ReadAllAsync(MultiplexedStream stream, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await stream.ReadOutputToEndAsync(cts.Token);
    }
}
