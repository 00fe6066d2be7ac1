using System.Net;
using System.Text;
using System.Text.Json;
using Quai.Registry.Storage;
using Quai.Testing.Registry;

namespace Quai.Registry.Tests;

// Content discovery, management, referrers and the spec's error answers.
public class ContentTests
{
    [Fact]
    public async Task TagsArePaginatedWithNLastAndLink()
    {
        await using var reg = await TestRegistry.StartAsync();
        var image = TestImage.Random(2, 10);
        foreach (var tag in new[] { "e", "a", "c", "b", "d" })
        {
            await reg.PushAsync("paged", image, tag);
        }
        using var all = await reg.Http.GetAsync("/v2/paged/tags/list");
        Assert.Equal("{\"name\":\"paged\",\"tags\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", await all.Content.ReadAsStringAsync());
        using var first = await reg.Http.GetAsync("/v2/paged/tags/list?n=2");
        Assert.Equal("{\"name\":\"paged\",\"tags\":[\"a\",\"b\"]}", await first.Content.ReadAsStringAsync());
        Assert.Equal("</v2/paged/tags/list?n=2&last=b>; rel=\"next\"", first.Headers.GetValues("Link").Single());
        using var second = await reg.Http.GetAsync("/v2/paged/tags/list?n=2&last=b");
        Assert.Equal("{\"name\":\"paged\",\"tags\":[\"c\",\"d\"]}", await second.Content.ReadAsStringAsync());
        using var last = await reg.Http.GetAsync("/v2/paged/tags/list?n=2&last=d");
        Assert.Equal("{\"name\":\"paged\",\"tags\":[\"e\"]}", await last.Content.ReadAsStringAsync());
        Assert.False(last.Headers.Contains("Link"));
        using var unknown = await reg.Http.GetAsync("/v2/nope/tags/list");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("NAME_UNKNOWN", await TestRegistry.ErrorCodeAsync(unknown));
    }

    [Fact]
    public async Task CatalogListsRepositoriesWithPagination()
    {
        await using var reg = await TestRegistry.StartAsync();
        var image = TestImage.Random(3, 10);
        await reg.PushAsync("b/two", image, "x");
        await reg.PushAsync("a", image, "x");
        await reg.PushAsync("c", image, "x");
        using var all = await reg.Http.GetAsync("/v2/_catalog");
        Assert.Equal("{\"repositories\":[\"a\",\"b/two\",\"c\"]}", await all.Content.ReadAsStringAsync());
        using var page = await reg.Http.GetAsync("/v2/_catalog?n=1&last=a");
        Assert.Equal("{\"repositories\":[\"b/two\"]}", await page.Content.ReadAsStringAsync());
        Assert.Contains("last=b%2Ftwo", page.Headers.GetValues("Link").Single());
    }

    [Fact]
    public async Task DeletingTagsManifestsAndBlobs()
    {
        await using var reg = await TestRegistry.StartAsync();
        var image = TestImage.Random(4, 10);
        await reg.PushAsync("del", image, "one");
        using (var r = await reg.PutManifestAsync("del", "two", image.Manifest)) { }
        using (var tagDelete = await reg.Http.DeleteAsync("/v2/del/manifests/one"))
        {
            Assert.Equal(HttpStatusCode.Accepted, tagDelete.StatusCode);
        }
        using (var gone = await reg.Http.GetAsync("/v2/del/manifests/one"))
        {
            Assert.Equal("MANIFEST_UNKNOWN", await TestRegistry.ErrorCodeAsync(gone));
        }
        using (var stillThere = await reg.Http.GetAsync("/v2/del/manifests/two"))
        {
            Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        }
        using (var manifestDelete = await reg.Http.DeleteAsync($"/v2/del/manifests/{image.ManifestDigest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, manifestDelete.StatusCode);
        }
        using (var byTag = await reg.Http.GetAsync("/v2/del/manifests/two"))
        {
            Assert.Equal(HttpStatusCode.NotFound, byTag.StatusCode);
        }
        using (var byDigest = await reg.Http.GetAsync($"/v2/del/manifests/{image.ManifestDigest}"))
        {
            Assert.Equal("MANIFEST_UNKNOWN", await TestRegistry.ErrorCodeAsync(byDigest));
        }
        var layer = TestImage.DigestOf(image.Layers[0]);
        using (var blobDelete = await reg.Http.DeleteAsync($"/v2/del/blobs/{layer}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, blobDelete.StatusCode);
        }
        using var blob = await reg.Http.GetAsync($"/v2/del/blobs/{layer}");
        Assert.Equal(HttpStatusCode.NotFound, blob.StatusCode);
        Assert.Equal("BLOB_UNKNOWN", await TestRegistry.ErrorCodeAsync(blob));
    }

    [Fact]
    public async Task ReferrersListManifestsWithASubjectFilteredByArtifactType()
    {
        await using var reg = await TestRegistry.StartAsync();
        var image = TestImage.Random(5, 10);
        await reg.PushAsync("ref", image, "v1");
        var empty = Encoding.UTF8.GetBytes("{}");
        await reg.PutBlobAsync("ref", empty);
        var artifact = Encoding.UTF8.GetBytes(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"artifactType\":\"application/vnd.example.sbom\"," +
            $"\"config\":{{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"{TestImage.DigestOf(empty)}\",\"size\":2}},\"layers\":[]," +
            $"\"subject\":{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{image.ManifestDigest}\",\"size\":{image.Manifest.Length}}}," +
            "\"annotations\":{\"org.example\":\"yes\"}}");
        using (var put = await reg.PutManifestAsync("ref", TestImage.DigestOf(artifact), artifact))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.Equal(image.ManifestDigest, put.Headers.GetValues("OCI-Subject").Single());
        }
        using (var list = await reg.Http.GetAsync($"/v2/ref/referrers/{image.ManifestDigest}"))
        {
            Assert.Equal("application/vnd.oci.image.index.v1+json", list.Content.Headers.ContentType!.MediaType);
            using var doc = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
            var m = doc.RootElement.GetProperty("manifests").EnumerateArray().Single();
            Assert.Equal(TestImage.DigestOf(artifact), m.GetProperty("digest").GetString());
            Assert.Equal("application/vnd.example.sbom", m.GetProperty("artifactType").GetString());
            Assert.Equal(artifact.Length, m.GetProperty("size").GetInt64());
            Assert.Equal("yes", m.GetProperty("annotations").GetProperty("org.example").GetString());
        }
        using (var filtered = await reg.Http.GetAsync($"/v2/ref/referrers/{image.ManifestDigest}?artifactType=application/vnd.other"))
        {
            Assert.Equal("artifactType", filtered.Headers.GetValues("OCI-Filters-Applied").Single());
            using var doc = JsonDocument.Parse(await filtered.Content.ReadAsStringAsync());
            Assert.Equal(0, doc.RootElement.GetProperty("manifests").GetArrayLength());
        }
        using (var none = await reg.Http.GetAsync($"/v2/ref/referrers/{TestImage.DigestOf(empty)}"))
        {
            Assert.Equal(HttpStatusCode.OK, none.StatusCode);
            using var doc = JsonDocument.Parse(await none.Content.ReadAsStringAsync());
            Assert.Equal(0, doc.RootElement.GetProperty("manifests").GetArrayLength());
        }
    }

    [Fact]
    public async Task OversizedManifestIsRefusedWith413()
    {
        await using var reg = await TestRegistry.StartAsync();
        var huge = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"annotations\":{\"x\":\"" + new string('a', 4 * 1024 * 1024) + "\"}}");
        using var r = await reg.PutManifestAsync("big", "v1", huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
        Assert.Equal("MANIFEST_INVALID", await TestRegistry.ErrorCodeAsync(r));
    }

    [Fact]
    public async Task ManifestNamingAMissingBlobIsRefused()
    {
        await using var reg = await TestRegistry.StartAsync();
        var image = TestImage.Random(6, 10);
        await reg.PutBlobAsync("partial", image.Config);
        using var r = await reg.PutManifestAsync("partial", "v1", image.Manifest);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", await TestRegistry.ErrorCodeAsync(r));
        using var tags = await reg.Http.GetAsync("/v2/partial/tags/list");
        Assert.Equal("{\"name\":\"partial\",\"tags\":[]}", await tags.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WrongDigestIsRefusedAndNothingIsStored()
    {
        await using var reg = await TestRegistry.StartAsync();
        var data = new byte[] { 1, 2, 3, 4 };
        var wrong = TestImage.DigestOf([5, 6, 7]);
        using (var post = await reg.Http.PostAsync($"/v2/bad/blobs/uploads/?digest={wrong}", new ByteArrayContent(data)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
            Assert.Equal("DIGEST_INVALID", await TestRegistry.ErrorCodeAsync(post));
        }
        using var start = await reg.Http.PostAsync("/v2/bad/blobs/uploads/", null);
        using (var patch = await reg.Http.PatchAsync(start.Headers.Location, new ByteArrayContent(data))) { }
        using (var put = await reg.Http.PutAsync(start.Headers.Location + "?digest=" + wrong, null))
        {
            Assert.Equal("DIGEST_INVALID", await TestRegistry.ErrorCodeAsync(put));
        }
        var image = TestImage.Random(7, 10);
        await reg.PushAsync("bad", image, "v1");
        using (var manifest = await reg.PutManifestAsync("bad", TestImage.DigestOf([1]), image.Manifest))
        {
            Assert.Equal("DIGEST_INVALID", await TestRegistry.ErrorCodeAsync(manifest));
        }
        using (var head = await reg.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/bad/blobs/{wrong}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        }
        var store = new RepositoryStore(reg.Root);
        var blobs = (await store.Content.ListAsync()).Select(b => b.Digest.ToString()).Order().ToList();
        Assert.Equal(new[] { image.ManifestDigest, TestImage.DigestOf(image.Config), TestImage.DigestOf(image.Layers[0]) }.Order(), blobs);
        Assert.Empty(await store.Content.ListIngestsAsync());
    }

    [Theory]
    [InlineData("/v2/UPPER/tags/list", "NAME_INVALID")]
    [InlineData("/v2/a//b/tags/list", "NAME_INVALID")]
    [InlineData("/v2/ok/blobs/sha256:zz", "DIGEST_INVALID")]
    [InlineData("/v2/ok/manifests/bad!tag", "MANIFEST_UNKNOWN")] // nothing can exist there: 404, as distribution and the conformance suite expect
    [InlineData("/v2/ok/blobs/uploads/not-a-session", "BLOB_UPLOAD_UNKNOWN")]
    public async Task MalformedRequestsGetTheSpecsErrorCodes(string path, string code)
    {
        await using var reg = await TestRegistry.StartAsync();
        using var r = await reg.Http.GetAsync(path);
        Assert.Equal(code, await TestRegistry.ErrorCodeAsync(r));
    }

    [Fact]
    public async Task PushingUnderAnInvalidTagIsRefused()
    {
        await using var reg = await TestRegistry.StartAsync();
        using var r = await reg.PutManifestAsync("ok", ".bad", Encoding.UTF8.GetBytes("{\"schemaVersion\":2}"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("MANIFEST_INVALID", await TestRegistry.ErrorCodeAsync(r));
    }

    [Fact]
    public async Task GarbageCollectionDeletesOnlyUnreferencedBlobs()
    {
        await using var reg = await TestRegistry.StartAsync();
        var image = TestImage.Random(8, 10);
        await reg.PushAsync("gc", image, "v1");
        var orphan = new byte[] { 42 };
        await reg.PutBlobAsync("gc", orphan);
        var store = new RepositoryStore(reg.Root);
        var deleted = await GarbageCollector.CollectAsync(store);
        Assert.Equal([TestImage.DigestOf(orphan)], deleted.Select(d => d.ToString()));
        using var gone = await reg.Http.GetAsync($"/v2/gc/blobs/{TestImage.DigestOf(orphan)}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var kept = await reg.Http.GetAsync($"/v2/gc/blobs/{TestImage.DigestOf(image.Layers[0])}");
        Assert.Equal(image.Layers[0], await kept.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task AbandonedUploadSessionsArePurgedByAge()
    {
        await using var reg = await TestRegistry.StartAsync();
        using var old = await reg.Http.PostAsync("/v2/up/blobs/uploads/", null);
        using var fresh = await reg.Http.PostAsync("/v2/up/blobs/uploads/", null);
        var oldId = old.Headers.GetValues("Docker-Upload-UUID").Single();
        var oldDir = Path.Combine(reg.Root, "uploads", oldId);
        File.SetLastWriteTimeUtc(Path.Combine(oldDir, "data"), DateTime.UtcNow.AddDays(-8));
        var purged = new RepositoryStore(reg.Root).PurgeUploads(GarbageCollector.AbandonedUploadAge);
        Assert.Equal([oldId], purged);
        Assert.False(Directory.Exists(oldDir));
        using var status = await reg.Http.GetAsync(fresh.Headers.Location);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
    }
}
