using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Quai.Testing;
using Quai.Testing.Registry;

namespace Quai.Registry.Tests;

// The quai-registry command as a user runs it: serve with a --config file, then garbage-collect.
public class CommandLineTests
{
    private static ProcessStartInfo Command(params string[] args)
    {
        // The published binary when test.sh provides one, else the build output next to the tests.
        var bin = Environment.GetEnvironmentVariable("QUAI_BIN_DIR") is { Length: > 0 } dir && File.Exists(Path.Combine(dir, "quai-registry"))
            ? new ProcessStartInfo(Path.Combine(dir, "quai-registry"))
            : new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(AppContext.BaseDirectory, "quai-registry.dll") } };
        foreach (var a in args)
        {
            bin.ArgumentList.Add(a);
        }
        bin.RedirectStandardOutput = true;
        bin.RedirectStandardError = true;
        return bin;
    }

    [Fact]
    public async Task ServeWithAConfigFileThenGarbageCollect()
    {
        using var dir = new TempDir("quai-registry-cli");
        await File.WriteAllTextAsync(dir.Combine("htpasswd"), Htpasswd.Create("admin", "pw"));
        await File.WriteAllTextAsync(dir.Combine("config.json"), """{"auth": {"htpasswd": "htpasswd"}, "maxManifestBytes": 1048576}""");
        var port = FreePort.Next();
        var root = dir.Combine("root");
        var log = new StringBuilder();
        using (var server = Process.Start(Command("serve", "--addr", $"127.0.0.1:{port}", "--root", root, "--config", dir.Combine("config.json")))!)
        {
            server.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
            server.ErrorDataReceived += (_, _) => { };
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("admin:pw"u8.ToArray()));
                HttpResponseMessage? ready = null;
                for (var i = 0; i < 200 && ready is null; i++)
                {
                    try
                    {
                        ready = await http.GetAsync("/v2/");
                    }
                    catch (HttpRequestException)
                    {
                        await Task.Delay(50);
                    }
                }
                Assert.NotNull(ready);
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
                var orphan = new byte[] { 1, 2, 3 };
                using var post = await http.PostAsync($"/v2/cli/blobs/uploads/?digest={TestImage.DigestOf(orphan)}", new ByteArrayContent(orphan));
                Assert.Equal(HttpStatusCode.Created, post.StatusCode);
                using var anonymous = await new HttpClient().GetAsync($"http://127.0.0.1:{port}/v2/");
                Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            }
            finally
            {
                server.Kill();
                await server.WaitForExitAsync();
            }
        }
        lock (log)
        {
            Assert.Contains("\"method\":\"POST\"", log.ToString());
        }
        using var gc = Process.Start(Command("garbage-collect", "--root", root))!;
        var output = await gc.StandardOutput.ReadToEndAsync();
        await gc.WaitForExitAsync();
        Assert.Equal(0, gc.ExitCode);
        Assert.Equal("deleted " + TestImage.DigestOf([1, 2, 3]), output.Trim());
    }

    [Fact]
    public async Task UsageErrorsExitWith2()
    {
        using var p = Process.Start(Command("serve"))!;
        var stderr = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("usage: quai-registry serve", stderr);
    }
}
