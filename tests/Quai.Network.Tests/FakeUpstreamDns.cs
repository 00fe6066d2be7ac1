using System.Net;
using System.Net.Sockets;
using Quai.Network.Dns;

namespace Quai.Network.Tests;

/// <summary>
/// The test's own upstream DNS server on a loopback address of the host netns (never the host's
/// real resolver): answers the names it was given, NXDOMAIN for the rest, over UDP and TCP.
/// </summary>
internal sealed class FakeUpstreamDns : IAsyncDisposable
{
    private readonly Dictionary<string, IPAddress> names;
    private readonly Socket udp;
    private readonly Socket tcp;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loops;

    public FakeUpstreamDns(Dictionary<string, IPAddress> names, string address = "127.0.0.153")
    {
        this.names = names;
        var ip = IPAddress.Parse(address);
        for (var attempt = 0; ; attempt++)
        {
            udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                udp.Bind(new IPEndPoint(ip, 0));
                tcp.Bind(new IPEndPoint(ip, ((IPEndPoint)udp.LocalEndPoint!).Port));
                tcp.Listen(8);
                break;
            }
            catch (SocketException) when (attempt < 20)
            {
                udp.Dispose();
                tcp.Dispose();
            }
        }
        EndPoint = (IPEndPoint)udp.LocalEndPoint!;
        loops = Task.WhenAll(Task.Run(UdpLoop), Task.Run(TcpLoop));
    }

    public IPEndPoint EndPoint { get; }

    public int Queries;

    private byte[] Answer(byte[] bytes)
    {
        Interlocked.Increment(ref Queries);
        var query = DnsPacket.Parse(bytes);
        var q = query.Questions[0];
        if (names.TryGetValue(q.Name, out var address))
        {
            var records = q.Type == DnsConstants.TypeA ? [new DnsRecord(q.Name, q.Type, 1, 30, address.GetAddressBytes())] : new List<DnsRecord>();
            return DnsPacket.ResponseTo(query, 0, records).Encode();
        }
        return DnsPacket.ResponseTo(query, DnsConstants.RcodeNxDomain).Encode();
    }

    private async Task UdpLoop()
    {
        var buffer = new byte[4096];
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var r = await udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), stop.Token);
                await udp.SendToAsync(Answer(buffer[..r.ReceivedBytes]), SocketFlags.None, r.RemoteEndPoint, stop.Token);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task TcpLoop()
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var c = await tcp.AcceptAsync(stop.Token);
                using var s = new NetworkStream(c);
                var len = new byte[2];
                await s.ReadExactlyAsync(len, stop.Token);
                var msg = new byte[(len[0] << 8) | len[1]];
                await s.ReadExactlyAsync(msg, stop.Token);
                var answer = Answer(msg);
                await s.WriteAsync(new byte[] { (byte)(answer.Length >> 8), (byte)answer.Length }, stop.Token);
                await s.WriteAsync(answer, stop.Token);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        udp.Dispose();
        tcp.Dispose();
        try
        {
            await loops;
        }
        catch (Exception)
        {
        }
        stop.Dispose();
    }
}
