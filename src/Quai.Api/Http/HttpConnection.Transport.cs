using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Quai.Api.Http;

/// <summary>Opening (TLS handshake) and closing the connection's transport.</summary>
internal sealed partial class HttpConnection
{
    private async Task<Stream?> OpenTransportAsync()
    {
        var network = new NetworkStream(_socket, ownsSocket: false);
        if (_endpoint.Tls is not { } tls)
        {
            return network;
        }
        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        timeout.CancelAfter(Options.TlsHandshakeTimeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(tls, timeout.Token).ConfigureAwait(false);
            if (ssl.RemoteCertificate is { } remote)
            {
                _clientCertificate = remote as X509Certificate2 ?? new X509Certificate2(remote);
            }
            return ssl;
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException or SocketException)
        {
            Log.TlsFailed(_endpoint.Name, Describe(e));
            await ssl.DisposeAsync().ConfigureAwait(false);
            _peerGone = true;
            return null;
        }
    }

    private async Task CloseAsync()
    {
        try
        {
            if (!_peerGone && _transport is not null && _input is not null)
            {
                // Send FIN first, then read what the client still sends for a moment: closing a socket
                // with unread input makes the kernel send RST, which can destroy the response in flight.
                if (_transport is SslStream ssl)
                {
                    await ssl.ShutdownAsync().ConfigureAwait(false);
                }
                _socket.Shutdown(SocketShutdown.Send);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                var scratch = new byte[4096];
                var total = 0;
                while (total < 256 * 1024)
                {
                    var n = await _input.ReadAsync(scratch, timeout.Token).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }
                    total += n;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            try
            {
                _transport?.Dispose();
            }
            catch (IOException)
            {
            }
            _socket.Dispose();
            _input?.Dispose();
        }
    }
}
