namespace Quai.Api.Http;

/// <summary>TLS for a TCP listener (dockerd's --tlscert, --tlskey and, with --tlsverify, --tlscacert).</summary>
/// <param name="CertificatePath">The server certificate, PEM (the leaf first, then intermediates).</param>
/// <param name="KeyPath">The server certificate's private key, PEM.</param>
/// <param name="ClientCaPath">CA certificates (PEM) that client certificates must chain to; null: no client certificate asked.</param>
public sealed record TlsOptions(string CertificatePath, string KeyPath, string? ClientCaPath = null)
{
    /// <summary>Whether clients must present a certificate issued by <see cref="ClientCaPath"/> (--tlsverify).</summary>
    public bool VerifyClients => ClientCaPath is not null;
}
