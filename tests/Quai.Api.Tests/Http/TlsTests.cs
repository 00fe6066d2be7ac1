using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Quai.Api.Http;
using Quai.Testing;

namespace Quai.Api.Tests.Http;

/// <summary>TCP with TLS on 127.0.0.1 (dockerd's --tlsverify): certificates made here, nothing leaves loopback.</summary>
public sealed class TlsTests : IDisposable
{
    private readonly TempDir _dir = new("quai-tls");
    private readonly X509Certificate2 _ca;
    private readonly X509Certificate2 _client;
    private readonly X509Certificate2 _stranger;

    public TlsTests()
    {
        _ca = MakeCa("Quai test CA");
        var server = Issue(_ca, "127.0.0.1", serverAuth: true);
        _client = Issue(_ca, "client", serverAuth: false);
        _stranger = Issue(MakeCa("Other CA"), "stranger", serverAuth: false);
        File.WriteAllText(_dir.Combine("ca.pem"), _ca.ExportCertificatePem());
        File.WriteAllText(_dir.Combine("cert.pem"), server.ExportCertificatePem());
        File.WriteAllText(_dir.Combine("key.pem"), server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(_dir.Combine("client-cert.pem"), _client.ExportCertificatePem());
        File.WriteAllText(_dir.Combine("client-key.pem"), _client.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }

    [Fact]
    public async Task VerifiedClientIsServedAndOthersAreRefused()
    {
        await using var server = new HttpServer(new HttpServerOptions(), context =>
            context.Response.WriteTextAsync($"{context.Request.IsTls} {context.Request.ClientCertificate?.GetNameInfo(X509NameType.SimpleName, false)}"), NullLogger.Instance);
        server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0), new TlsOptions(_dir.Combine("cert.pem"), _dir.Combine("key.pem"), _dir.Combine("ca.pem")));
        using var stop = new CancellationTokenSource();
        var run = server.RunAsync(stop.Token);
        var port = ((IPEndPoint)server.LocalEndPoints[0]).Port;
        var url = $"https://127.0.0.1:{port}/_ping";

        using (var client = MakeClient(_client))
        {
            Assert.Equal("True client", await client.GetStringAsync(url));
            Assert.Equal("True client", await client.GetStringAsync(url));
        }
        using (var client = MakeClient(null))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync(url));
        }
        using (var client = MakeClient(_stranger))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync(url));
        }

        // An independent TLS stack: curl (OpenSSL) with the PEM files.
        var psi = new ProcessStartInfo("curl", ["-s", "--max-time", "20", "--cacert", _dir.Combine("ca.pem"), "--cert", _dir.Combine("client-cert.pem"), "--key", _dir.Combine("client-key.pem"), url])
        {
            RedirectStandardOutput = true,
        };
        using (var curl = Process.Start(psi)!)
        {
            var output = await curl.StandardOutput.ReadToEndAsync();
            await curl.WaitForExitAsync();
            Assert.Equal("True client", output);
        }

        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task WithoutClientVerificationAnyClientIsServed()
    {
        await using var server = new HttpServer(new HttpServerOptions(), context => context.Response.WriteTextAsync("ok"), NullLogger.Instance);
        server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0), new TlsOptions(_dir.Combine("cert.pem"), _dir.Combine("key.pem")));
        using var stop = new CancellationTokenSource();
        var run = server.RunAsync(stop.Token);
        using var client = MakeClient(null);
        Assert.Equal("ok", await client.GetStringAsync($"https://127.0.0.1:{((IPEndPoint)server.LocalEndPoints[0]).Port}/x"));
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task HijackOverTlsSurvivesTheClientsCloseNotify()
    {
        // docker -H tcp://... --tlsverify run -i: the CLI's CloseWrite on a tls.Conn sends close_notify.
        await using var server = new HttpServer(new HttpServerOptions(), async context =>
        {
            await using var stream = await context.HijackAsync();
            var input = new MemoryStream();
            await stream.CopyToAsync(input);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("got:" + Encoding.ASCII.GetString(input.ToArray())));
        }, NullLogger.Instance);
        server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0), new TlsOptions(_dir.Combine("cert.pem"), _dir.Combine("key.pem"), _dir.Combine("ca.pem")));
        using var stop = new CancellationTokenSource();
        var run = server.RunAsync(stop.Token);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)server.LocalEndPoints[0]).Port);
        await using var ssl = new SslStream(tcp.GetStream(), false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            ClientCertificates = [_client],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        await ssl.WriteAsync(Encoding.ASCII.GetBytes("POST /containers/c/attach?stdin=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"));
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            Assert.Equal(1, await ssl.ReadAsync(one));
            head.Append((char)one[0]);
        }
        Assert.StartsWith("HTTP/1.1 101 UPGRADED", head.ToString());
        await ssl.WriteAsync("stdin"u8.ToArray());
        await ssl.ShutdownAsync();
        tcp.Client.Shutdown(SocketShutdown.Send);
        var rest = new MemoryStream();
        await ssl.CopyToAsync(rest).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("got:stdin", Encoding.ASCII.GetString(rest.ToArray()));
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task MissingKeyFileIsAClearError()
    {
        await using var server = new HttpServer(new HttpServerOptions(), _ => Task.CompletedTask, NullLogger.Instance);
        var e = Assert.Throws<ArgumentException>(() => server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0), new TlsOptions(_dir.Combine("cert.pem"), _dir.Combine("nope.pem"))));
        Assert.Contains("nope.pem", e.Message);
    }

    public void Dispose()
    {
        _ca.Dispose();
        _client.Dispose();
        _stranger.Dispose();
        _dir.Dispose();
    }

    private HttpClient MakeClient(X509Certificate2? certificate)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(_ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return cert is not null && chain.Build(new X509Certificate2(cert));
        };
        if (certificate is not null)
        {
            handler.SslOptions.ClientCertificates = [certificate];
        }
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
    }

    private static X509Certificate2 MakeCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddDays(2));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string name, bool serverAuth)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
        }
        var serial = new byte[8];
        RandomNumberGenerator.Fill(serial);
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);
        return issued.CopyWithPrivateKey(key);
    }
}
