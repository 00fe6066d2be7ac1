using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Quai.Api.Http;
using Quai.Testing;

namespace Quai.Api.Tests.Http;

/// <summary>
/// The real docker CLI (28.x) against a fake engine on this server: the exchange of
/// captures/run-rm-i-notty.log, where the CLI half-closes the attach connection after stdin EOF
/// and still has to get the container's output (what Kestrel loses, dotnet/aspnetcore#13188).
/// </summary>
public class DockerCliInteropTests
{
    private const string Id = "c139d07810dfcf14997a431c1521004b3ad84b70dd28fdb822bf7597c3d19f3f";

    [Fact]
    public async Task EchoPipedIntoDockerRunInteractiveComesBack()
    {
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var router = new Router();
        router.MapHead("/_ping", Ping);
        router.MapGet("/_ping", Ping);
        router.MapPost("/containers/create", async c =>
        {
            await c.Request.Body.CopyToAsync(Stream.Null);
            c.Response.StatusCode = 201;
            await c.Response.WriteTextAsync($"{{\"Id\":\"{Id}\",\"Warnings\":[]}}\n", "application/json");
        });
        router.MapPost("/containers/{name:.*}/attach", async c =>
        {
            Assert.Equal(Id, c.Request.RouteValue("name"));
            await using var stream = await c.HijackAsync();
            // `cat`: stdin to stdout until EOF, then "to-stderr" on stderr; docker's multiplexed framing.
            var stdin = new MemoryStream();
            await stream.CopyToAsync(stdin);
            await started.Task;
            await stream.WriteAsync(Frame(1, stdin.ToArray()));
            await stream.WriteAsync(Frame(2, "to-stderr\n"u8.ToArray()));
            await stream.FlushAsync();
            exited.TrySetResult();
        });
        router.MapPost("/containers/{name:.*}/wait", async c =>
        {
            Assert.Equal("removed", c.Request.Query["condition"]);
            await c.Response.StartAsync();
            await exited.Task;
            await c.Response.Body.WriteAsync("{\"Error\":null,\"StatusCode\":3}\n"u8.ToArray());
        });
        router.MapPost("/containers/{name:.*}/start", c =>
        {
            c.Response.StatusCode = 204;
            started.TrySetResult();
            return Task.CompletedTask;
        });

        await using var server = new TestServer(async c =>
        {
            c.Response.Headers["Api-Version"] = "1.41";
            c.Response.Headers["Ostype"] = "linux";
            await router.HandleAsync(c);
        });
        using var config = new TempDir("quai-docker-config");
        var psi = new ProcessStartInfo("docker", ["run", "--rm", "-i", "busybox:local", "sh", "-c", "cat; echo to-stderr >&2; exit 3"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["DOCKER_HOST"] = "unix://" + server.SocketPath;
        psi.Environment["DOCKER_CONFIG"] = config.Path;
        using var docker = Process.Start(psi)!;
        var stdout = docker.StandardOutput.ReadToEndAsync();
        var stderr = docker.StandardError.ReadToEndAsync();
        await docker.StandardInput.WriteAsync("line1\nline2\n");
        docker.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await docker.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            docker.Kill();
            throw;
        }
        Assert.Equal("line1\nline2\n", await stdout);
        Assert.Equal("to-stderr\n", await stderr);
        Assert.Equal(3, docker.ExitCode);
    }

    private static Task Ping(HttpContext c)
    {
        c.Response.Headers["Cache-Control"] = "no-cache, no-store, must-revalidate";
        c.Response.Headers["Pragma"] = "no-cache";
        return c.Response.WriteTextAsync("OK");
    }

    // stdcopy framing: [stream, 0, 0, 0, size (big-endian u32)] then the payload.
    private static byte[] Frame(byte stream, byte[] payload)
    {
        var frame = new byte[8 + payload.Length];
        frame[0] = stream;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)payload.Length);
        payload.CopyTo(frame, 8);
        return frame;
    }
}
