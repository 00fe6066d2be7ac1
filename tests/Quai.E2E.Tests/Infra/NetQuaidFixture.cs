namespace Quai.E2E.Tests.Infra;

/// <summary>A private quaid (own default bridge and subnet) shared by the tests of one network test class.</summary>
public sealed class NetQuaidFixture : Xunit.IAsyncLifetime
{
    private Daemon? daemon;

    /// <summary>The daemon.</summary>
    public Daemon D => daemon ?? throw new InvalidOperationException("the fixture's quaid did not start");

    /// <summary>Its default bridge's name (qb…).</summary>
    public string Bridge { get; private set; } = "";

    /// <summary>Its default bridge's address (the gateway of `bridge`).</summary>
    public string BridgeIp { get; private set; } = "";

    /// <summary>Starts the daemon.</summary>
    public async Task InitializeAsync() => (daemon, Bridge, BridgeIp) = await NetHost.StartQuaidAsync();

    /// <summary>Stops it and removes its default bridge.</summary>
    public async Task DisposeAsync()
    {
        if (daemon is not null)
        {
            await NetHost.DisposeQuaidAsync(daemon, Bridge);
        }
    }
}
