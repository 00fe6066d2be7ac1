using System.Net.Security;
using System.Net.Sockets;

namespace Quai.Api.Http;

/// <summary>One listening socket of the server and how its connections are served.</summary>
/// <param name="Socket">The bound, listening socket.</param>
/// <param name="Name">How logs name it (unix:///run/quai/quai.sock, tcp://127.0.0.1:2376).</param>
/// <param name="UnixPath">The socket file of a unix listener, removed at stop.</param>
/// <param name="Tls">TLS options of a TCP listener with TLS.</param>
internal sealed record HttpListenerEndpoint(Socket Socket, string Name, string? UnixPath, SslServerAuthenticationOptions? Tls)
{
    /// <summary>Whether this is a unix socket (no Host needed, no remote address).</summary>
    public bool IsUnix => UnixPath is not null;
}
