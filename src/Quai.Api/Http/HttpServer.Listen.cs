using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Quai.Api.Http;

/// <summary>Listening sockets: unix (mode and group of the socket file) and TCP (with TLS).</summary>
public sealed partial class HttpServer
{
    private const int Backlog = 512;
    private const int MaxUnixPathBytes = 107; // sun_path is 108 bytes with its NUL (unix(7))

    /// <summary>
    /// Listens on a unix socket. A socket file left by a dead server is replaced; if a server still
    /// answers there, or the path is not a socket, this fails. The file gets <paramref name="mode"/>
    /// (docker: 0660) and, if given, group <paramref name="gid"/> before anyone can connect.
    /// </summary>
    public void ListenUnix(string path, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, int? gid = null)
    {
        ThrowIfRunning();
        var full = Path.GetFullPath(path);
        if (Encoding.UTF8.GetByteCount(full) > MaxUnixPathBytes)
        {
            throw new ArgumentException($"unix socket path {full} is too long ({Encoding.UTF8.GetByteCount(full)} bytes; the kernel allows {MaxUnixPathBytes}): choose a shorter path", nameof(path));
        }
        RemoveStaleSocket(full);
        var directory = Path.GetDirectoryName(full);
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"cannot listen on {full}: directory {directory} does not exist");
        }
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(full));
            // Until listen(2) every connect is refused, so ownership and mode are set before anyone gets in.
            if (gid is { } g)
            {
                UnixSocketFile.SetGroup(full, g);
            }
            File.SetUnixFileMode(full, mode);
            socket.Listen(Backlog);
        }
        catch
        {
            socket.Dispose();
            if (UnixSocketFile.IsSocket(full) == true)
            {
                File.Delete(full);
            }
            throw;
        }
        var name = "unix://" + full;
        _listeners.Add(new HttpListenerEndpoint(socket, name, full, null));
        Logger.Listening(name);
    }

    /// <summary>Listens on TCP, with TLS when <paramref name="tls"/> is given (and client-certificate verification when it names a CA).</summary>
    public void ListenTcp(IPEndPoint endpoint, TlsOptions? tls)
    {
        ThrowIfRunning();
        var sslOptions = tls is null ? null : LoadTls(tls);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endpoint);
            socket.Listen(Backlog);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"cannot listen on tcp://{endpoint}: {e.Message}", e);
        }
        var name = (tls is null ? "tcp://" : "tcps://") + socket.LocalEndPoint;
        _listeners.Add(new HttpListenerEndpoint(socket, name, null, sslOptions));
        if (tls is null)
        {
            Logger.ListeningWithoutTls(name);
        }
        else
        {
            Logger.Listening(name);
        }
    }

    private void RemoveStaleSocket(string path)
    {
        switch (UnixSocketFile.IsSocket(path))
        {
            case null:
                return;
            case false:
                throw new IOException($"cannot listen on {path}: a file that is not a socket is there; remove it or choose another path");
        }
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            File.Delete(path);
            Logger.RemovedStaleSocket(path);
            return;
        }
        throw new IOException($"cannot listen on {path}: another server is listening there; stop it or choose another path");
    }

    private static SslServerAuthenticationOptions LoadTls(TlsOptions tls)
    {
        X509Certificate2 certificate;
        var chain = new X509Certificate2Collection();
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(tls.CertificatePath, tls.KeyPath);
            chain.ImportFromPemFile(tls.CertificatePath);
        }
        catch (Exception e) when (e is CryptographicException or IOException or ArgumentException)
        {
            throw new ArgumentException($"cannot load the TLS certificate {tls.CertificatePath} with key {tls.KeyPath}: {e.Message}", nameof(tls), e);
        }
        var intermediates = new X509Certificate2Collection();
        foreach (var c in chain)
        {
            if (c.Thumbprint != certificate.Thumbprint)
            {
                intermediates.Add(c);
            }
        }
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, intermediates, offline: true),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (tls.ClientCaPath is { } caPath)
        {
            var cas = new X509Certificate2Collection();
            try
            {
                cas.ImportFromPemFile(caPath);
            }
            catch (Exception e) when (e is CryptographicException or IOException)
            {
                throw new ArgumentException($"cannot load the client CA certificates {caPath}: {e.Message}", nameof(tls), e);
            }
            if (cas.Count == 0)
            {
                throw new ArgumentException($"no certificate in the client CA file {caPath}", nameof(tls));
            }
            options.ClientCertificateRequired = true;
            options.RemoteCertificateValidationCallback = (_, cert, _, _) => IsTrustedClient(cert, cas);
        }
        return options;
    }

    // --tlsverify: the client's certificate must chain to one of the given CAs and allow client auth.
    private static bool IsTrustedClient(X509Certificate? certificate, X509Certificate2Collection cas)
    {
        if (certificate is null)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(cas);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    private void ThrowIfRunning()
    {
        if (_started != 0)
        {
            throw new InvalidOperationException("the HTTP server is already running: add listeners before RunAsync");
        }
    }
}
