using Quai.Registry;
using Quai.Testing;
using Quai.Testing.Registry;

namespace Quai.Distribution.Tests;

/// <summary>A quai-registry on 127.0.0.1:0 in a temporary root, optionally with users and token auth or TLS.</summary>
internal sealed class TestRegistry : IAsyncDisposable
{
    private readonly TempDir _dir;

    private TestRegistry(TempDir dir, RegistryServer server)
    {
        _dir = dir;
        Server = server;
    }

    public RegistryServer Server { get; }

    public string Host => Server.Host;

    public static async Task<TestRegistry> StartAsync(string? user = null, string? password = null, bool token = false, string? certificate = null, string? key = null)
    {
        var dir = new TempDir("quai-client-registry");
        string? htpasswd = null;
        if (user is not null)
        {
            htpasswd = dir.Combine("htpasswd");
            await File.WriteAllTextAsync(htpasswd, Htpasswd.Create(user, password ?? ""));
        }
        var server = await RegistryServer.StartAsync(new RegistryOptions
        {
            Root = dir.Combine("root"),
            Address = "127.0.0.1:0",
            HtpasswdPath = htpasswd,
            TokenAuth = token,
            TlsCertificatePath = certificate,
            TlsKeyPath = key,
            RequestLog = TextWriter.Null,
        });
        return new TestRegistry(dir, server);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _dir.Dispose();
    }
}
