using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Quai.Cli.Api;

/// <summary>Client TLS for tcp:// hosts: docker's ca.pem, cert.pem, key.pem in DOCKER_CERT_PATH.</summary>
/// <param name="CertPath">Directory holding ca.pem, cert.pem and key.pem.</param>
/// <param name="Verify">Whether the server's certificate is checked against ca.pem (DOCKER_TLS_VERIFY).</param>
public sealed record TlsSettings(string CertPath, bool Verify)
{
    /// <summary>TLS from DOCKER_TLS_VERIFY / DOCKER_CERT_PATH, or null when DOCKER_TLS_VERIFY is unset.</summary>
    public static TlsSettings? FromEnvironment(Func<string, string?> env)
    {
        if (string.IsNullOrEmpty(env("DOCKER_TLS_VERIFY")))
        {
            return null;
        }
        var path = env("DOCKER_CERT_PATH");
        if (string.IsNullOrEmpty(path))
        {
            path = Path.Combine(env("HOME") ?? "/root", ".docker");
        }
        return new TlsSettings(path, true);
    }

    /// <summary>The SslStream options for a connection to <paramref name="host"/>.</summary>
    public SslClientAuthenticationOptions ClientOptions(string host)
    {
        var options = new SslClientAuthenticationOptions { TargetHost = host };
        var cert = Path.Combine(CertPath, "cert.pem");
        var key = Path.Combine(CertPath, "key.pem");
        if (File.Exists(cert) && File.Exists(key))
        {
            options.ClientCertificates = [X509Certificate2.CreateFromPemFile(cert, key)];
        }
        var caFile = Path.Combine(CertPath, "ca.pem");
        if (!Verify)
        {
            options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (File.Exists(caFile))
        {
            var ca = X509CertificateLoader.LoadCertificateFromFile(caFile);
            options.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null)
                {
                    return false;
                }
                if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
                {
                    return false;
                }
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            };
        }
        return options;
    }
}
