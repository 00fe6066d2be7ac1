using System.Net;
using System.Text.Json;
using Quai.Testing.Registry;

namespace Quai.Registry.Tests;

public class PushPullTests
{
    [Fact]
    public async Task BaseEndpointAnswersWithTheApiVersionHeader()
    {
        await using var reg = await TestRegistry.StartAsync();
        using var r = await reg.Http.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("registry/2.0", r.Headers.GetValues("Docker-Distribution-API-Version").Single());
    }

    [Fact]
    public async Task ManifestPushedByTagIsPulledByTagAndDigest()
    {
        await using var reg = await TestRegistry.StartAsync();
        var image = TestImage.Random(1, 1000);
        await reg.PushAsync("team/app", image, "v1");
        foreach (var reference in new[] { "v1", image.ManifestDigest })
        {
            using var get = await reg.Http.GetAsync($"/v2/team/app/manifests/{reference}");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(image.Manifest, await get.Content.ReadAsByteArrayAsync());
            Assert.Equal("application/vnd.oci.image.manifest.v1+json", get.Content.Headers.ContentType!.MediaType);
            Assert.Equal(image.ManifestDigest, get.Headers.GetValues("Docker-Content-Digest").Single());
            using var head = await reg.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/team/app/manifests/{reference}"));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(image.Manifest.Length, head.Content.Headers.ContentLength);
        }
        using var blob = await reg.Http.GetAsync($"/v2/team/app/blobs/{TestImage.DigestOf(image.Layers[0])}");
        Assert.Equal(image.Layers[0], await blob.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task BlobGetHonoursRange()
    {
        await using var reg = await TestRegistry.StartAsync();
        var data = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        await reg.PutBlobAsync("r", data);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/r/blobs/{TestImage.DigestOf(data)}");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(100, 199);
        using var r = await reg.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, r.StatusCode);
        Assert.Equal(data[100..200], await r.Content.ReadAsByteArrayAsync());
        Assert.Equal("bytes 100-199/1000", r.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task ChunkedUploadWithContentRangeCompletesWithPut()
    {
        await using var reg = await TestRegistry.StartAsync();
        var data = new byte[300];
        new Random(3).NextBytes(data);
        using var start = await reg.Http.PostAsync("/v2/chunked/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!;
        for (var offset = 0; offset < 300; offset += 100)
        {
            var content = new ByteArrayContent(data[offset..(offset + 100)]);
            content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + 99}");
            using var patch = await reg.Http.PatchAsync(location, content);
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            Assert.Equal($"0-{offset + 99}", patch.Headers.GetValues("Range").Single());
            location = patch.Headers.Location!;
        }
        using var status = await reg.Http.GetAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Equal("0-299", status.Headers.GetValues("Range").Single());
        using var put = await reg.Http.PutAsync(location + "?digest=" + TestImage.DigestOf(data), null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(TestImage.DigestOf(data), put.Headers.GetValues("Docker-Content-Digest").Single());
        using var get = await reg.Http.GetAsync($"/v2/chunked/blobs/{TestImage.DigestOf(data)}");
        Assert.Equal(data, await get.Content.ReadAsByteArrayAsync());
        Assert.Empty(Directory.GetDirectories(Path.Combine(reg.Root, "uploads")));
    }

    [Fact]
    public async Task OutOfOrderChunkIsRefusedWith416()
    {
        await using var reg = await TestRegistry.StartAsync();
        using var start = await reg.Http.PostAsync("/v2/chunked/blobs/uploads/", null);
        var content = new ByteArrayContent(new byte[50]);
        content.Headers.TryAddWithoutValidation("Content-Range", "50-99");
        using var patch = await reg.Http.PatchAsync(start.Headers.Location, content);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, patch.StatusCode);
        Assert.Equal("0-0", patch.Headers.GetValues("Range").Single());
        Assert.Equal("BLOB_UPLOAD_INVALID", await TestRegistry.ErrorCodeAsync(patch));
    }

    [Fact]
    public async Task BlobIsMountedFromAnotherRepository()
    {
        await using var reg = await TestRegistry.StartAsync();
        var data = new byte[] { 1, 2, 3 };
        var digest = TestImage.DigestOf(data);
        await reg.PutBlobAsync("source", data);
        using (var before = await reg.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/target/blobs/{digest}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        }
        using var mount = await reg.Http.PostAsync($"/v2/target/blobs/uploads/?mount={digest}&from=source", null);
        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        Assert.Equal($"/v2/target/blobs/{digest}", mount.Headers.Location!.OriginalString);
        using var after = await reg.Http.GetAsync($"/v2/target/blobs/{digest}");
        Assert.Equal(data, await after.Content.ReadAsByteArrayAsync());
        // Mounting from a repository that does not have the blob opens an upload session instead.
        using var fallback = await reg.Http.PostAsync($"/v2/other/blobs/uploads/?mount={digest}&from=nothing-here", null);
        Assert.Equal(HttpStatusCode.Accepted, fallback.StatusCode);
    }

    [Fact]
    public async Task Sha512BlobsAreAccepted()
    {
        await using var reg = await TestRegistry.StartAsync();
        var data = new byte[] { 9, 8, 7 };
        var digest = "sha512:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData(data));
        using var post = await reg.Http.PostAsync($"/v2/r/blobs/uploads/?digest={digest}", new ByteArrayContent(data));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        using var get = await reg.Http.GetAsync($"/v2/r/blobs/{digest}");
        Assert.Equal(data, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task EveryRequestIsLoggedAsOneJsonLine()
    {
        await using var reg = await TestRegistry.StartAsync();
        using (await reg.Http.GetAsync("/v2/")) { }
        using (await reg.Http.GetAsync("/v2/nothing/manifests/latest")) { }
        var lines = reg.Log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var doc = JsonDocument.Parse(lines[1]);
        Assert.Equal("GET", doc.RootElement.GetProperty("method").GetString());
        Assert.Equal("/v2/nothing/manifests/latest", doc.RootElement.GetProperty("path").GetString());
        Assert.Equal(404, doc.RootElement.GetProperty("status").GetInt32());
        Assert.True(doc.RootElement.GetProperty("bytes").GetInt64() > 0);
        Assert.True(doc.RootElement.TryGetProperty("duration_ms", out _));
    }
}
