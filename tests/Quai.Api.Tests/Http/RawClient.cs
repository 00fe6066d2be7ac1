using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Quai.Api.Tests.Http;

/// <summary>A byte-level HTTP/1.1 client over a socket, to see exactly what the server sends.</summary>
internal sealed class RawClient : IDisposable
{
    private readonly byte[] _buffer = new byte[65536];
    private int _start;
    private int _end;

    private RawClient(Socket socket, Stream stream)
    {
        Socket = socket;
        Stream = stream;
    }

    public Socket Socket { get; }

    public Stream Stream { get; }

    public static RawClient ConnectUnix(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(path));
        return new RawClient(socket, new NetworkStream(socket, ownsSocket: false));
    }

    public Task SendAsync(string text) => SendAsync(Encoding.ASCII.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        await Stream.WriteAsync(bytes);
        await Stream.FlushAsync();
    }

    /// <summary>Reads a response head (status line and headers), skipping nothing.</summary>
    public async Task<RawResponse> ReadHeadAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync() ?? throw new EndOfStreamException("connection closed before the response head ended");
            if (line.Length == 0)
            {
                break;
            }
            lines.Add(line);
        }
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var l in lines.Skip(1))
        {
            var colon = l.IndexOf(':', StringComparison.Ordinal);
            headers.Add(new(l[..colon], l[(colon + 1)..].Trim()));
        }
        return new RawResponse(lines[0], status, headers, []);
    }

    /// <summary>Reads a whole response; <paramref name="head"/> says whether it answers a HEAD (no body).</summary>
    public async Task<RawResponse> ReadResponseAsync(bool head = false)
    {
        var r = await ReadHeadAsync();
        if (head || r.Status is 204 or 304 || r.Status < 200)
        {
            return r;
        }
        byte[] body;
        if (r.Header("Transfer-Encoding") == "chunked")
        {
            var ms = new MemoryStream();
            while (true)
            {
                var size = int.Parse((await ReadLineAsync())!, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    await ReadLineAsync();
                    break;
                }
                ms.Write(await ReadExactlyAsync(size));
                await ReadLineAsync();
            }
            body = ms.ToArray();
        }
        else if (r.Header("Content-Length") is { } cl)
        {
            body = await ReadExactlyAsync(int.Parse(cl, CultureInfo.InvariantCulture));
        }
        else
        {
            body = await ReadToEndAsync();
        }
        return r with { Body = body };
    }

    public async Task<byte[]> ReadExactlyAsync(int count)
    {
        var result = new byte[count];
        var got = 0;
        while (got < count)
        {
            var n = await ReadSomeAsync(result.AsMemory(got));
            if (n == 0)
            {
                throw new EndOfStreamException($"connection closed after {got} of {count} bytes");
            }
            got += n;
        }
        return result;
    }

    public async Task<byte[]> ReadToEndAsync()
    {
        var ms = new MemoryStream();
        var chunk = new byte[8192];
        int n;
        while ((n = await ReadSomeAsync(chunk)) > 0)
        {
            ms.Write(chunk, 0, n);
        }
        return ms.ToArray();
    }

    /// <summary>Reads what is buffered, or what the next read brings; 0 at EOF.</summary>
    public async Task<int> ReadSomeAsync(Memory<byte> destination)
    {
        if (_end > _start)
        {
            var n = Math.Min(destination.Length, _end - _start);
            _buffer.AsMemory(_start, n).CopyTo(destination);
            _start += n;
            return n;
        }
        return await Stream.ReadAsync(destination);
    }

    /// <summary>True if the server closed the connection (a read returns 0) within the timeout.</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await Stream.ReadAsync(new byte[1], cts.Token) == 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public void Dispose()
    {
        Stream.Dispose();
        Socket.Dispose();
    }

    private async Task<string?> ReadLineAsync()
    {
        var sb = new StringBuilder();
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await Stream.ReadAsync(_buffer);
                if (_end == 0)
                {
                    return sb.Length == 0 ? null : sb.ToString();
                }
            }
            var b = _buffer[_start++];
            if (b == '\n')
            {
                return sb.ToString().TrimEnd('\r');
            }
            sb.Append((char)b);
        }
    }
}

/// <summary>A response as read off the wire.</summary>
internal sealed record RawResponse(string StatusLine, int Status, List<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public string BodyText => Encoding.UTF8.GetString(Body);
}
