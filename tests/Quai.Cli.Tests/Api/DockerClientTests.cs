using System.Net.Sockets;
using System.Text;
using Quai.Cli.Api;

namespace Quai.Cli.Tests.Api;

public class DockerClientTests
{
    [Theory]
    [InlineData("1.41", null, "1.41")]
    [InlineData("1.51", null, "1.50")]
    [InlineData("1.50", null, "1.50")]
    [InlineData("1.41", "1.40", "1.40")]
    [InlineData(null, null, "1.24")]
    public void NegotiatesTheLowerVersion(string? server, string? overrideVersion, string expected) =>
        Assert.Equal(expected, ApiVersion.Negotiate(server, overrideVersion));

    [Fact]
    public void ComparesNumerically() => Assert.True(ApiVersion.Compare("1.9", "1.41") < 0);

    [Fact]
    public void HostSelectionOrder()
    {
        var env = new Dictionary<string, string> { ["QUAI_HOST"] = "unix:///q.sock", ["DOCKER_HOST"] = "unix:///d.sock" };
        Assert.Equal("/flag.sock", DaemonHost.Resolve("unix:///flag.sock", k => env.GetValueOrDefault(k)).SocketPath);
        Assert.Equal("/q.sock", DaemonHost.Resolve(null, k => env.GetValueOrDefault(k)).SocketPath);
        env.Remove("QUAI_HOST");
        Assert.Equal("/d.sock", DaemonHost.Resolve(null, k => env.GetValueOrDefault(k)).SocketPath);
        env.Clear();
        var def = DaemonHost.Resolve(null, k => env.GetValueOrDefault(k));
        Assert.True(def.IsDefaultQuai);
        Assert.Equal("/run/quai/quai.sock", def.SocketPath);
        var tcp = DaemonHost.Parse("tcp://127.0.0.1:2376", new TlsSettings("/certs", true));
        Assert.Equal(("127.0.0.1", 2376), (tcp.TcpHost!, tcp.TcpPort));
        Assert.Equal(2375, DaemonHost.Parse("tcp://localhost", null).TcpPort);
    }

    [Fact]
    public async Task PingsThenUsesTheVersionedPathAndReportsDaemonErrors()
    {
        await using var daemon = new FakeDaemon(async (req, s) =>
        {
            if (req.Path == "/_ping")
            {
                await FakeDaemon.RespondAsync(s, 200, "", "text/plain");
            }
            else if (req.Path == "/v1.41/containers/nope/json")
            {
                await FakeDaemon.RespondAsync(s, 404, "{\"message\":\"No such container: nope\"}");
            }
            else
            {
                await FakeDaemon.RespondAsync(s, 200, "{\"ok\":true}");
            }
            return true;
        });
        using var client = new DockerClient(DaemonHost.Parse("unix://" + daemon.SocketPath, null), null);
        var ok = await client.GetJsonAsync("/info");
        Assert.True(ok!["ok"]!.GetValue<bool>());
        Assert.Equal("1.41", client.Version);
        var e = await Assert.ThrowsAsync<DockerApiException>(() => client.GetJsonAsync("/containers/nope/json"));
        Assert.Equal("No such container: nope", e.Message);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, e.Status);
        Assert.Equal(["HEAD /_ping", "GET /v1.41/info", "GET /v1.41/containers/nope/json"], daemon.Requests.Select(r => r.Method + " " + r.Path));
    }

    [Fact]
    public async Task AMissingSocketNamesQuaidForTheDefaultHost()
    {
        using var client = new DockerClient(DaemonHost.Parse("unix:///nonexistent/quai.sock", null), null);
        var e = await Assert.ThrowsAsync<DaemonUnreachableException>(() => client.GetJsonAsync("/info"));
        Assert.Equal("Cannot connect to the Docker daemon at unix:///nonexistent/quai.sock. Is the docker daemon running?", e.Message);
        Assert.Equal("Cannot connect to the Quai daemon at unix:///run/quai/quai.sock. Is quaid running?",
            DaemonUnreachableException.MessageFor(DaemonHost.Parse(DaemonHost.DefaultQuaiHost, null)));
    }

    [Fact]
    public async Task HijackHalfClosesAndKeepsReadingUntilTheDaemonCloses()
    {
        // The daemon echoes stdin back as stdout frames, and only after stdin's EOF writes a
        // last stderr frame and closes: the `echo hi | run -i cat` case.
        await using var daemon = new FakeDaemon(async (req, s) =>
        {
            if (req.Path == "/_ping")
            {
                await FakeDaemon.RespondAsync(s, 200, "", "text/plain");
                return true;
            }
            Assert.Equal("Upgrade", req.Headers["Connection"]);
            Assert.Equal("tcp", req.Headers["Upgrade"]);
            await s.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"));
            var buf = new byte[1024];
            int n;
            while ((n = await s.ReadAsync(buf)) > 0)
            {
                await s.WriteAsync(Frame(1, buf.AsSpan(0, n).ToArray()));
            }
            await Task.Delay(50);
            await s.WriteAsync(Frame(2, "bye\n"u8.ToArray()));
            return false;
        });
        using var client = new DockerClient(DaemonHost.Parse("unix://" + daemon.SocketPath, null), null);
        await using var conn = await HijackedConnection.OpenAsync(client, "/containers/x/attach?stdin=1&stdout=1&stream=1", null, CancellationToken.None);
        await conn.WriteAsync("hi\n"u8.ToArray());
        conn.CloseWrite();
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        await StreamDemuxer.CopyAsync(conn, stdout, stderr);
        Assert.Equal("hi\n", Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.Equal("bye\n", Encoding.UTF8.GetString(stderr.ToArray()));
        Assert.Equal("/v1.41/containers/x/attach?stdin=1&stdout=1&stream=1", daemon.Requests[^1].Path);
    }

    [Fact]
    public async Task HijackErrorsCarryTheDaemonMessage()
    {
        await using var daemon = new FakeDaemon(async (req, s) =>
        {
            if (req.Path == "/_ping")
            {
                await FakeDaemon.RespondAsync(s, 200, "", "text/plain");
                return true;
            }
            await FakeDaemon.RespondAsync(s, 409, "{\"message\":\"container x is not running\"}");
            return false;
        });
        using var client = new DockerClient(DaemonHost.Parse("unix://" + daemon.SocketPath, null), null);
        var e = await Assert.ThrowsAsync<DockerApiException>(() => HijackedConnection.OpenAsync(client, "/exec/x/start", "{}", CancellationToken.None));
        Assert.Equal("container x is not running", e.Message);
    }

    internal static byte[] Frame(byte stream, byte[] payload)
    {
        var f = new byte[8 + payload.Length];
        f[0] = stream;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(4), (uint)payload.Length);
        payload.CopyTo(f, 8);
        return f;
    }

    [Fact]
    public void SocketExceptionTypeIsWhatConnectThrows() => Assert.True(typeof(SocketException).IsAssignableTo(typeof(Exception)));
}
