using System.Diagnostics;
using System.Text;
using Quai.Api.Http;

namespace Quai.Api.Tests.Http;

/// <summary>Debian's curl as an independent HTTP/1.1 client over the unix socket.</summary>
public class CurlInteropTests
{
    private static async Task Handle(HttpContext context)
    {
        switch (context.Request.Path)
        {
            case "/_ping":
                await context.Response.WriteTextAsync("OK");
                break;
            case "/echo":
                var ms = new MemoryStream();
                await context.Request.Body.CopyToAsync(ms);
                await context.Response.WriteTextAsync($"{(context.Request.IsChunked ? "chunked" : "length")}:{ms.Length}:{context.Request.Headers["Expect"]}");
                break;
            case "/stream":
                for (var i = 0; i < 3; i++)
                {
                    await context.Response.Body.WriteAsync(Encoding.ASCII.GetBytes($"line{i}\n"));
                    await context.Response.Body.FlushAsync();
                }
                break;
            default:
                throw new ApiException(ErrorKind.NotFound, "No such thing: " + context.Request.Path);
        }
    }

    [Fact]
    public async Task GetHeadPostAndStreaming()
    {
        await using var server = new TestServer(Handle);
        var (code, output) = await CurlAsync(server, null, "-s", "-i", "http://localhost/_ping", "http://localhost/_ping");
        Assert.Equal(0, code);
        // Two requests on one connection (curl reuses it), both answered.
        Assert.True(CountOf(output, "HTTP/1.1 200 OK") == 2, output);
        Assert.EndsWith("OK", output.TrimEnd());

        (code, output) = await CurlAsync(server, null, "-s", "-I", "http://localhost/_ping");
        Assert.Equal(0, code);
        Assert.Contains("Content-Length: 2", output);

        (code, output) = await CurlAsync(server, new string('x', 100_000), "-s", "--data-binary", "@-", "-H", "Transfer-Encoding: chunked", "http://localhost/echo");
        Assert.Equal("chunked:100000:", output);

        // curl sends Expect: 100-continue for bodies over 1 MiB and waits for the 100.
        (code, output) = await CurlAsync(server, new string('y', 2_000_000), "-s", "--data-binary", "@-", "http://localhost/echo");
        Assert.Equal("length:2000000:100-continue", output);

        (code, output) = await CurlAsync(server, null, "-s", "-N", "http://localhost/stream");
        Assert.Equal("line0\nline1\nline2\n", output);

        (code, output) = await CurlAsync(server, null, "-s", "-w", "%{http_code}", "http://localhost/missing");
        Assert.Equal("{\"message\":\"No such thing: /missing\"}\n404", output);
    }

    private static int CountOf(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;

    private static async Task<(int Code, string Output)> CurlAsync(TestServer server, string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardInput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("--unix-socket");
        psi.ArgumentList.Add(server.SocketPath);
        psi.ArgumentList.Add("--max-time");
        psi.ArgumentList.Add("20");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin);
        }
        p.StandardInput.Close();
        await p.WaitForExitAsync();
        return (p.ExitCode, await output);
    }
}
