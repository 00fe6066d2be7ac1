using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Quai.Distribution.Pull;
using Quai.Distribution.Push;
using Quai.Oci.References;
using Quai.Testing;
using Quai.Testing.Registry;

namespace Quai.Distribution.Tests;

// HTTPS against a local TLS quai-registry whose self-signed certificate is trusted through the options.
public class TlsTests
{
    private static X509Certificate2 SelfSigned(string certPath, string keyPath)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=quai-test-registry", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(certPath, cert.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return X509CertificateLoader.LoadCertificate(cert.Export(X509ContentType.Cert));
    }

    [Fact]
    public async Task PushAndPullOverHttpsWithATrustedSelfSignedCertificate()
    {
        using var dir = new TempDir("quai-tls");
        var cert = SelfSigned(dir.Combine("cert.pem"), dir.Combine("key.pem"));
        await using var reg = await TestRegistry.StartAsync(certificate: dir.Combine("cert.pem"), key: dir.Combine("key.pem"));
        Assert.Equal("https", reg.Server.BaseAddress.Scheme);
        var options = new RegistryClientOptions { PlainHttpForLoopback = false, TrustedCertificates = [cert] };
        var image = TestImage.Random(41, 5000);
        using (var source = new ClientHarness(options))
        {
            await new ImagePusher(source.Client, source.Store).PushAsync(ImageReference.Parse($"{reg.Host}/tls:v1"), await source.AddAsync(image));
        }
        using var target = new ClientHarness(options);
        var result = await new ImagePuller(target.Client, target.Store).PullAsync(ImageReference.Parse($"{reg.Host}/tls:v1"));
        Assert.Equal(image.ManifestDigest, result.Root.Digest.ToString());

        // Without the certificate trusted, the TLS handshake fails and says so.
        using var untrusted = new ClientHarness(new RegistryClientOptions { PlainHttpForLoopback = false });
        var e = await Assert.ThrowsAsync<DistributionException>(() => new ImagePuller(untrusted.Client, untrusted.Store).PullAsync(ImageReference.Parse($"{reg.Host}/tls:v1")));
        Assert.Equal(DistributionErrorKind.Unavailable, e.Kind);
        Assert.Contains($"https://{reg.Host}/", e.Message);
    }
}
