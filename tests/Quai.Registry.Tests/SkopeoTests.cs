using System.Diagnostics;
using System.Net;
using Quai.Testing;
using Quai.Testing.Registry;

namespace Quai.Registry.Tests;

// Interop with real peers: skopeo (containers/image) and docker's own registry.
public class SkopeoTests
{
    private static async Task SkopeoCopyAsync(string source, string destination)
    {
        var psi = new ProcessStartInfo("skopeo")
        {
            ArgumentList = { "--insecure-policy", "copy", "--src-tls-verify=false", "--dest-tls-verify=false", source, destination },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"skopeo copy {source} {destination} failed: {await stdout}{await stderr}");
    }

    private static async Task<string> ManifestDigestAsync(HttpClient http, string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        using var r = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return TestImage.DigestOf(await r.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task SkopeoPushesAnOciLayoutToQuaiRegistryAndPullsItBack()
    {
        await using var reg = await TestRegistry.StartAsync();
        using var work = new TempDir("quai-skopeo");
        var image = TestImage.Busybox();
        image.WriteOciLayout(work.Combine("in"), "v1");
        await SkopeoCopyAsync($"oci:{work.Combine("in")}:v1", $"docker://{reg.Server.Host}/skopeo/busybox:v1");
        Assert.Equal(image.ManifestDigest, await ManifestDigestAsync(reg.Http, "/v2/skopeo/busybox/manifests/v1"));
        await SkopeoCopyAsync($"docker://{reg.Server.Host}/skopeo/busybox:v1", $"oci:{work.Combine("out")}:v1");
        var manifestPath = Path.Combine(work.Combine("out"), "blobs", "sha256", image.ManifestDigest[7..]);
        Assert.Equal(image.Manifest, await File.ReadAllBytesAsync(manifestPath));
        foreach (var layer in image.Layers)
        {
            Assert.Equal(layer, await File.ReadAllBytesAsync(Path.Combine(work.Combine("out"), "blobs", "sha256", TestImage.DigestOf(layer)[7..])));
        }
    }

    [Fact]
    public async Task SkopeoCopiesBetweenQuaiRegistryAndDockerRegistryKeepingDigests()
    {
        await using var reg = await TestRegistry.StartAsync();
        await using var docker = await DockerRegistry.StartAsync();
        var image = TestImage.Random(11, 200_000, 3000);
        await reg.PushAsync("src/app", image, "v1");
        await SkopeoCopyAsync($"docker://{reg.Server.Host}/src/app:v1", $"docker://{docker.Host}/mid/app:v1");
        using var http = new HttpClient();
        Assert.Equal(image.ManifestDigest, await ManifestDigestAsync(http, $"http://{docker.Host}/v2/mid/app/manifests/v1"));
        await SkopeoCopyAsync($"docker://{docker.Host}/mid/app:v1", $"docker://{reg.Server.Host}/back/app:v2");
        Assert.Equal(image.ManifestDigest, await ManifestDigestAsync(reg.Http, "/v2/back/app/manifests/v2"));
        using var blob = await reg.Http.GetAsync($"/v2/back/app/blobs/{TestImage.DigestOf(image.Layers[0])}");
        Assert.Equal(image.Layers[0], await blob.Content.ReadAsByteArrayAsync());
    }
}
