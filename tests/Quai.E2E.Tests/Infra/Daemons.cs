namespace Quai.E2E.Tests.Infra;

/// <summary>
/// One shared daemon of each kind for the whole run, started on first use with busybox:latest
/// imported, and removed when the test process exits. Tests that restart or kill a daemon make
/// their own instead (<see cref="StartPrivateAsync"/>).
/// </summary>
public static class Daemons
{
    /// <summary>The kinds every theory runs over.</summary>
    public static TheoryData<string> Kinds => new() { "quaid", "dockerd" };

    private static readonly Dictionary<string, Lazy<Task<Daemon>>> Shared = new()
    {
        ["quaid"] = new(() => StartPrivateAsync("quaid")),
        ["dockerd"] = new(() => StartPrivateAsync("dockerd")),
    };

    /// <summary>The shared daemon of <paramref name="kind"/>.</summary>
    public static Task<Daemon> GetAsync(string kind) => Shared[kind].Value;

    /// <summary>A new daemon of <paramref name="kind"/> with busybox:latest; the caller disposes it.</summary>
    public static async Task<Daemon> StartPrivateAsync(string kind)
    {
        Daemon d = kind switch
        {
            "quaid" => new QuaidDaemon(),
            "dockerd" => new DockerdDaemon(),
            _ => throw new ArgumentException($"unknown daemon kind {kind}", nameof(kind)),
        };
        try
        {
            await d.StartAsync();
            await Images.ImportAsync(d, "busybox:latest",
                "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "CMD [\"sh\"]");
            return d;
        }
        catch
        {
            await d.DisposeAsync();
            throw;
        }
    }
}
