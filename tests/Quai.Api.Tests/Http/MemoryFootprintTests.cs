using System.Diagnostics;
using Quai.Testing;
using Xunit.Abstractions;

namespace Quai.Api.Tests.Http;

/// <summary>Measures (reports, does not assert) the RSS of a process that served 1000 keep-alive requests.</summary>
[Collection(nameof(MemoryCollection))]
public class MemoryFootprintTests(ITestOutputHelper testOutput)
{
    [Fact]
    public async Task RssAfterAThousandKeepAliveRequests()
    {
        using var dir = new TempDir("quai-rss");
        var socket = dir.Combine("api.sock");
        // The tests run from tests/Quai.Api.Tests/bin/<Configuration>/<tfm>/; the probe is built by its
        // ProjectReference into tests/Quai.Api.Tests/RssProbe/bin/<Configuration>/<tfm>/.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var probe = Path.Combine(output.Parent!.Parent!.Parent!.FullName, "RssProbe", "bin", output.Parent.Name, output.Name, "quai-http-probe.dll");
        Assert.True(File.Exists(probe), $"{probe} missing: build tests/Quai.Api.Tests, which builds the RssProbe project");
        var psi = new ProcessStartInfo("dotnet", [probe, socket]) { RedirectStandardInput = true, RedirectStandardOutput = true };
        using var process = Process.Start(psi)!;
        try
        {
            Assert.Equal("ready", await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
            var idle = Rss(process.Id);
            using (var client = RawClient.ConnectUnix(socket))
            {
                for (var i = 0; i < 1000; i++)
                {
                    var path = (i % 3) switch { 0 => "/_ping", 1 => "/v1.41/version", _ => "/v1.41/containers/c" + i + "/json" };
                    await client.SendAsync($"GET {path} HTTP/1.1\r\nHost: api.moby.localhost\r\nUser-Agent: Docker-Client/28.2.2 (linux)\r\n\r\n");
                    var r = await client.ReadResponseAsync();
                    Assert.Equal(i % 3 == 2 ? 404 : 200, r.Status);
                }
            }
            var after = Rss(process.Id);
            testOutput.WriteLine($"quai-http-probe RSS: idle {idle.Rss / 1024} MiB, after 1000 keep-alive requests {after.Rss / 1024} MiB (peak {after.Hwm / 1024} MiB)");
            Console.WriteLine($"[rss] idle={idle.Rss}KiB after={after.Rss}KiB peak={after.Hwm}KiB");
        }
        finally
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(10_000))
            {
                process.Kill();
            }
        }
    }

    private static (long Rss, long Hwm) Rss(int pid)
    {
        long rss = 0, hwm = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
            }
        }
        return (rss, hwm);
    }
}
