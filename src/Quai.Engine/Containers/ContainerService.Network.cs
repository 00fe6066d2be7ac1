namespace Quai.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// The network namespace a container joins: null lets the runtime make a new, empty one
    /// (only loopback), which is what `--network none` means. Bridge and user networks are
    /// attached through Quai.Network (issue #5); until then they get the same isolated namespace.
    /// </summary>
    private (string? Path, bool Host) NetworkNamespaceFor(ContainerRecord c)
    {
        _ = c;
        return (null, false);
    }

    /// <summary>Releases what the container's network attachment holds (nothing without a network).</summary>
    private Task ReleaseNetworkAsync(ContainerRecord c)
    {
        _ = c;
        return Task.CompletedTask;
    }
}
