using System.Net.Sockets;
using System.Text;

namespace Quai.Cli.Tests.Api;

/// <summary>A tiny HTTP/1.1 server on a unix socket in a temp dir, answering with a handler; records requests.</summary>
internal sealed class FakeDaemon : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _loop;
    private readonly Func<Request, Stream, Task<bool>> _handler;

    public sealed record Request(string Method, string Path, Dictionary<string, string> Headers, byte[] Body);

    public FakeDaemon(Func<Request, Stream, Task<bool>> handler)
    {
        Dir = Directory.CreateTempSubdirectory("quai-cli-fake-").FullName;
        SocketPath = Path.Combine(Dir, "d.sock");
        _handler = handler;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(8);
        _loop = AcceptLoopAsync();
    }

    public string Dir { get; }

    public string SocketPath { get; }

    public List<Request> Requests { get; } = [];

    /// <summary>Writes a complete response with a body.</summary>
    public static async Task RespondAsync(Stream s, int status, string body, string contentType = "application/json", string? apiVersion = "1.41")
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = $"HTTP/1.1 {status} X\r\n" + (apiVersion is null ? "" : $"Api-Version: {apiVersion}\r\n") + $"Content-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\n\r\n";
        await s.WriteAsync(Encoding.ASCII.GetBytes(head));
        await s.WriteAsync(bytes);
        await s.FlushAsync();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_cts.IsCancellationRequested)
            {
                var client = await _listener.AcceptAsync(_cts.Token);
                _ = Task.Run(() => ServeAsync(client));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var _ = client;
        await using var stream = new NetworkStream(client, ownsSocket: false);
        try
        {
            while (true)
            {
                var head = await ReadHeadAsync(stream);
                if (head is null)
                {
                    return;
                }
                var lines = head.Split("\r\n");
                var first = lines[0].Split(' ');
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var l in lines.Skip(1))
                {
                    var c = l.IndexOf(':', StringComparison.Ordinal);
                    if (c > 0)
                    {
                        headers[l[..c].Trim()] = l[(c + 1)..].Trim();
                    }
                }
                var len = headers.TryGetValue("Content-Length", out var cl) ? int.Parse(cl) : 0;
                var body = new byte[len];
                await stream.ReadExactlyAsync(body);
                var req = new Request(first[0], first[1], headers, body);
                lock (Requests)
                {
                    Requests.Add(req);
                }
                if (!await _handler(req, stream))
                {
                    return;
                }
            }
        }
        catch (IOException)
        {
        }
    }

    private static async Task<string?> ReadHeadAsync(Stream s)
    {
        var sb = new StringBuilder();
        var b = new byte[1];
        while (!sb.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await s.ReadAsync(b) == 0)
            {
                return null;
            }
            sb.Append((char)b[0]);
        }
        return sb.ToString()[..^4];
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        _listener.Dispose();
        try
        {
            await _loop;
        }
        catch (ObjectDisposedException)
        {
        }
        _cts.Dispose();
        Directory.Delete(Dir, recursive: true);
    }
}
