using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Quai.E2E.Tests.Infra;

/// <summary>
/// The test's own upstream DNS server (UDP) on a free 127.0.0.x:53 of the host: A records for the
/// names it was given, NXDOMAIN for everything else (RFC 1035 §4.1). Never the host's resolver.
/// </summary>
public sealed class NetUpstreamDns : IDisposable
{
    private readonly Dictionary<string, IPAddress> names;
    private readonly Socket socket;
    private readonly CancellationTokenSource stop = new();
    private int queries;

    /// <summary>Binds the first free 127.0.0.x:53 (x from 200) and starts answering.</summary>
    public NetUpstreamDns(Dictionary<string, IPAddress> names)
    {
        this.names = new Dictionary<string, IPAddress>(names, StringComparer.OrdinalIgnoreCase);
        for (var x = 200; ; x++)
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                s.Bind(new IPEndPoint(IPAddress.Parse("127.0.0." + x.ToString(System.Globalization.CultureInfo.InvariantCulture)), 53));
                socket = s;
                break;
            }
            catch (SocketException) when (x < 250)
            {
                s.Dispose();
            }
        }
        Address = ((IPEndPoint)socket.LocalEndPoint!).Address;
        _ = Task.Run(LoopAsync);
    }

    /// <summary>The loopback address it listens on (port 53).</summary>
    public IPAddress Address { get; }

    /// <summary>How many queries arrived.</summary>
    public int Queries => Volatile.Read(ref queries);

    private async Task LoopAsync()
    {
        var buffer = new byte[512];
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var r = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), stop.Token);
                Interlocked.Increment(ref queries);
                if (Answer(buffer.AsSpan(0, r.ReceivedBytes)) is { } answer)
                {
                    await socket.SendToAsync(answer, SocketFlags.None, r.RemoteEndPoint, stop.Token);
                }
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
            }
        }
    }

    private byte[]? Answer(ReadOnlySpan<byte> q)
    {
        if (q.Length < 17)
        {
            return null;
        }
        var labels = new List<string>();
        var i = 12;
        while (i < q.Length && q[i] != 0)
        {
            labels.Add(Encoding.ASCII.GetString(q.Slice(i + 1, q[i])));
            i += q[i] + 1;
        }
        var questionEnd = i + 5;
        if (questionEnd > q.Length)
        {
            return null;
        }
        var type = (q[i + 1] << 8) | q[i + 2];
        var found = names.TryGetValue(string.Join('.', labels), out var address);
        var answer = found && type == 1;
        var response = new List<byte>(q[..questionEnd].ToArray());
        response[2] = (byte)(0x80 | (q[2] & 0x01)); // QR, RD copied
        response[3] = (byte)(0x80 | (found ? 0 : 3)); // RA, NOERROR or NXDOMAIN
        response[6] = 0;
        response[7] = (byte)(answer ? 1 : 0);
        response[8] = response[9] = response[10] = response[11] = 0;
        if (answer)
        {
            response.AddRange([0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, .. address!.GetAddressBytes()]);
        }
        return [.. response];
    }

    /// <summary>Stops answering and closes the socket.</summary>
    public void Dispose()
    {
        stop.Cancel();
        socket.Dispose();
        stop.Dispose();
    }
}
