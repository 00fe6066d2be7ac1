using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quai.Distribution.Pull;
using Quai.Distribution.Push;
using Quai.Oci.References;
using Quai.Testing.Registry;

namespace Quai.Distribution.Tests;

// A proxy in front of quai-registry that cuts the first download of every blob halfway: the client
// must resume with a Range request and still verify the digest.
public class ResilienceTests
{
    [Fact]
    public async Task DownloadCutMidBlobIsResumedWithRangeAndVerified()
    {
        await using var reg = await TestRegistry.StartAsync();
        var image = TestImage.Random(31, 1_000_000, 700_000);
        using (var source = new ClientHarness())
        {
            await new ImagePusher(source.Client, source.Store).PushAsync(ImageReference.Parse($"{reg.Host}/flaky:v1"), await source.AddAsync(image));
        }
        var ranges = new ConcurrentBag<string>();
        var cut = new ConcurrentDictionary<string, bool>();
        using var backend = new HttpClient { BaseAddress = reg.Server.BaseAddress };
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var proxy = builder.Build();
        proxy.Run(async context =>
        {
            var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path + context.Request.QueryString);
            foreach (var h in new[] { "Range", "Accept", "Authorization" })
            {
                if (context.Request.Headers.TryGetValue(h, out var v))
                {
                    request.Headers.TryAddWithoutValidation(h, v.ToArray());
                }
            }
            if (context.Request.Headers.Range.Count > 0)
            {
                ranges.Add(context.Request.Headers.Range.ToString());
            }
            using var response = await backend.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var h in response.Headers.Concat(response.Content.Headers))
            {
                context.Response.Headers[h.Key] = h.Value.ToArray();
            }
            var body = await response.Content.ReadAsByteArrayAsync();
            var path = context.Request.Path.Value!;
            if (path.Contains("/blobs/", StringComparison.Ordinal) && body.Length > 100_000 && cut.TryAdd(path, true))
            {
                // Send half, then drop the connection.
                await context.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2));
                await context.Response.Body.FlushAsync();
                context.Abort();
                return;
            }
            await context.Response.Body.WriteAsync(body);
        });
        await proxy.StartAsync();
        var port = new Uri(proxy.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;

        using var target = new ClientHarness();
        var progress = new Collector<PullProgress>();
        var result = await new ImagePuller(target.Client, target.Store).PullAsync(ImageReference.Parse($"127.0.0.1:{port}/flaky:v1"), null, progress);
        await proxy.StopAsync();

        Assert.Equal(image.ManifestDigest, result.Root.Digest.ToString());
        foreach (var layer in image.Layers)
        {
            Assert.True(await target.HoldsAsync(layer));
        }
        Assert.Equal(2, cut.Count);
        Assert.Equal(2, ranges.Count);
        Assert.All(ranges, r => Assert.Matches("^bytes=[1-9][0-9]*-$", r));
        Assert.Contains(progress.Events, e => e.Status == PullProgress.Retrying);
    }
}
