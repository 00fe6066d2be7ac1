using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quai.Registry.Http;
using Quai.Registry.Storage;

namespace Quai.Registry;

/// <summary>A running quai-registry: Kestrel on one address serving the distribution API from a root directory.</summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RegistryServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>The URL clients reach the server at, with the port actually bound ("http://127.0.0.1:41234/").</summary>
    public Uri BaseAddress { get; }

    /// <summary>"host:port" as used in image references ("127.0.0.1:41234").</summary>
    public string Host => BaseAddress.Authority;

    /// <summary>Starts a server; returns once it accepts connections.</summary>
    public static async Task<RegistryServer> StartAsync(RegistryOptions options, CancellationToken cancellationToken = default)
    {
        var endpoint = ParseAddress(options.Address);
        var store = new RepositoryStore(options.Root);
        var handler = new RegistryHandler(options, store);
        X509Certificate2? certificate = null;
        if (options.TlsCertificatePath is not null)
        {
            certificate = X509Certificate2.CreateFromPemFile(options.TlsCertificatePath, options.TlsKeyPath ?? throw new ArgumentException("TLS needs both a certificate and a key", nameof(options)));
        }
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Blobs are streamed to disk: no limit on their size (manifests are bounded by the handler).
            k.Limits.MaxRequestBodySize = null;
            k.AddServerHeader = false;
            k.Listen(endpoint, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        var app = builder.Build();
        app.Run(handler.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(bound.Replace("[::]", "localhost", StringComparison.Ordinal)).Port;
        var host = endpoint.Address.ToString();
        if (endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            host = "[" + host + "]";
        }
        var scheme = certificate is null ? "http" : "https";
        return new RegistryServer(app, new Uri(string.Create(CultureInfo.InvariantCulture, $"{scheme}://{host}:{port}/")));
    }

    /// <summary>Waits until the server is stopped (Ctrl-C or SIGTERM in the command line).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Parses "HOST:PORT" or "[V6]:PORT".</summary>
    public static IPEndPoint ParseAddress(string address)
    {
        if (!IPEndPoint.TryParse(address, out var endpoint) || !address.Contains(':', StringComparison.Ordinal))
        {
            if (address.StartsWith("localhost:", StringComparison.Ordinal) && int.TryParse(address[10..], NumberStyles.None, CultureInfo.InvariantCulture, out var p))
            {
                return new IPEndPoint(IPAddress.Loopback, p);
            }
            throw new FormatException($"invalid listen address \"{address}\": expected HOST:PORT, e.g. 127.0.0.1:5000 or [::1]:5000");
        }
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
