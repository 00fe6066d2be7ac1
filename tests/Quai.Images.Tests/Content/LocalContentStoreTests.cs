using System.Text;
using Quai.Images.Content;
using Quai.Oci;
using Quai.Oci.Image;
using Quai.Testing;

namespace Quai.Images.Tests.Content;

public sealed class LocalContentStoreTests : IDisposable
{
    private readonly TempDir _dir = new("quai-content");
    private readonly LocalContentStore _store;

    public LocalContentStoreTests()
    {
        _store = new LocalContentStore(_dir.Combine("content"));
    }

    public void Dispose() => _dir.Dispose();

    private static byte[] Data(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Commit_publishes_blob_under_its_digest_and_removes_the_ingest()
    {
        var data = Data("hello, content");
        var digest = Digest.FromBytes(data);
        await using (var w = await _store.OpenWriterAsync("ref-1", digest, data.Length))
        {
            await w.WriteAsync(data);
            var info = await w.CommitAsync();
            Assert.Equal(digest, info.Digest);
            Assert.Equal(data.Length, info.Size);
        }
        Assert.True(File.Exists(_dir.Combine("content", "blobs", "sha256", digest.Encoded)));
        Assert.Equal(data, await _store.ReadAllBytesAsync(digest));
        using (var s = _store.OpenRead(digest))
        {
            Assert.True(s.CanSeek);
        }
        Assert.Empty(await _store.ListIngestsAsync());
        Assert.Empty(Directory.GetDirectories(_dir.Combine("content", "ingest")));
        Assert.Contains(await _store.ListAsync(), i => i.Digest == digest);
    }

    [Fact]
    public async Task Digest_mismatch_leaves_nothing_and_names_both_digests()
    {
        var expected = Digest.FromBytes(Data("what we wanted"));
        var w = await _store.OpenWriterAsync("ref-bad", expected);
        await w.WriteAsync(Data("what we got"));
        var e = await Assert.ThrowsAsync<ImageException>(() => w.CommitAsync());
        await w.DisposeAsync();
        Assert.Equal(ImageErrorKind.FailedPrecondition, e.Kind);
        Assert.Contains(expected.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains(Digest.FromBytes(Data("what we got")).ToString(), e.Message, StringComparison.Ordinal);
        Assert.Empty(await _store.ListAsync());
        Assert.Empty(await _store.ListIngestsAsync());
        Assert.Empty(Directory.GetDirectories(_dir.Combine("content", "ingest")));
    }

    [Fact]
    public async Task Size_mismatch_is_refused_and_cleaned_up()
    {
        var data = Data("twelve bytes");
        var w = await _store.OpenWriterAsync("ref-size");
        await w.WriteAsync(data);
        var e = await Assert.ThrowsAsync<ImageException>(() => w.CommitAsync(expectedSize: 99, expectedDigest: Digest.FromBytes(data)));
        await w.DisposeAsync();
        Assert.Contains("expected 99 bytes", e.Message, StringComparison.Ordinal);
        Assert.Empty(await _store.ListAsync());
        Assert.Empty(await _store.ListIngestsAsync());
    }

    [Fact]
    public async Task A_new_writer_resumes_a_partial_ingest()
    {
        var data = Data("first half|second half");
        var digest = Digest.FromBytes(data);
        await using (var w = await _store.OpenWriterAsync("ref-resume", digest, data.Length))
        {
            await w.WriteAsync(data.AsMemory(0, 11));
        }
        var status = Assert.Single(await _store.ListIngestsAsync());
        Assert.Equal("ref-resume", status.Ref);
        Assert.Equal(11, status.Offset);
        Assert.Equal(data.Length, status.Total);
        await using (var w = await _store.OpenWriterAsync("ref-resume", digest, data.Length))
        {
            Assert.Equal(11, w.Offset);
            await w.WriteAsync(data.AsMemory(11));
            Assert.Equal(digest, (await w.CommitAsync()).Digest);
        }
        Assert.Equal(data, await _store.ReadAllBytesAsync(digest));
    }

    [Fact]
    public async Task Second_writer_on_the_same_ref_fails_clearly()
    {
        await using var w = await _store.OpenWriterAsync("ref-busy");
        var e = await Assert.ThrowsAsync<ImageException>(() => _store.OpenWriterAsync("ref-busy"));
        Assert.Equal(ImageErrorKind.Unavailable, e.Kind);
        Assert.Contains("ref-busy", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Abort_drops_partial_data()
    {
        await using (var w = await _store.OpenWriterAsync("ref-abort"))
        {
            await w.WriteAsync(Data("partial"));
        }
        await _store.AbortAsync("ref-abort");
        Assert.Empty(await _store.ListIngestsAsync());
        var e = await Assert.ThrowsAsync<ImageException>(() => _store.AbortAsync("ref-abort"));
        Assert.Equal(ImageErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public async Task Concurrent_writes_of_one_digest_download_once()
    {
        var data = new byte[300_000];
        new Random(7).NextBytes(data);
        var digest = Digest.FromBytes(data);
        var opens = 0;
        var gate = new TaskCompletionSource();
        async Task<Stream> Open(long offset)
        {
            Interlocked.Increment(ref opens);
            await gate.Task;
            return new MemoryStream(data[(int)offset..]);
        }
        var tasks = Enumerable.Range(0, 8).Select(_ => _store.WriteBlobAsync(digest, data.Length, Open)).ToArray();
        gate.SetResult();
        var infos = await Task.WhenAll(tasks);
        Assert.Equal(1, opens);
        Assert.All(infos, i => Assert.Equal(digest, i.Digest));
        Assert.Equal(data, await _store.ReadAllBytesAsync(digest, data.Length));
    }

    [Fact]
    public async Task WriteBlob_resumes_from_the_ingest_offset()
    {
        var data = Data("0123456789abcdefghij");
        var digest = Digest.FromBytes(data);
        await using (var w = await _store.OpenWriterAsync("blob-" + digest, digest, data.Length))
        {
            await w.WriteAsync(data.AsMemory(0, 7));
        }
        long askedOffset = -1;
        var info = await _store.WriteBlobAsync(digest, data.Length, offset =>
        {
            askedOffset = offset;
            return Task.FromResult<Stream>(new MemoryStream(data[(int)offset..]));
        });
        Assert.Equal(7, askedOffset);
        Assert.Equal(digest, info.Digest);
    }

    [Fact]
    public async Task WriteBlob_refuses_a_source_that_sends_too_much()
    {
        var data = Data("exact");
        var e = await Assert.ThrowsAsync<ImageException>(() => _store.WriteBlobAsync(Digest.FromBytes(data), data.Length, _ => Task.FromResult<Stream>(new MemoryStream(Data("exact and more")))));
        Assert.Equal(ImageErrorKind.FailedPrecondition, e.Kind);
        Assert.Empty(await _store.ListAsync());
    }

    [Fact]
    public async Task ReadAllBytes_refuses_oversized_blobs_and_missing_ones()
    {
        var desc = await _store.WriteBytesAsync(new byte[100], "application/octet-stream");
        var big = await Assert.ThrowsAsync<ImageException>(() => _store.ReadAllBytesAsync(desc.Digest, maxSize: 10));
        Assert.Contains(desc.Digest.ToString(), big.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<ImageException>(() => _store.OpenRead(Digest.FromBytes(Data("nope"))));
        Assert.Equal(ImageErrorKind.NotFound, missing.Kind);
        Assert.Null(await _store.InfoAsync(Digest.FromBytes(Data("nope"))));
    }

    [Fact]
    public async Task Garbage_collector_removes_exactly_the_unreferenced_blobs()
    {
        var layer = await _store.WriteBytesAsync(Data("layer"), MediaTypes.OciLayer);
        var config = await _store.WriteBytesAsync(Data("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"), MediaTypes.OciConfig);
        var manifest = await _store.WriteJsonAsync(new Manifest { MediaType = MediaTypes.OciManifest, Config = config, Layers = [layer] }, OciJsonContext.Default.Manifest, MediaTypes.OciManifest);
        var index = await _store.WriteJsonAsync(new ImageIndex { MediaType = MediaTypes.OciIndex, Manifests = [manifest] }, OciJsonContext.Default.ImageIndex, MediaTypes.OciIndex);
        var orphanLayer = await _store.WriteBytesAsync(Data("orphan layer"), MediaTypes.OciLayer);
        var orphanManifest = await _store.WriteJsonAsync(new Manifest { Config = config, Layers = [orphanLayer] }, OciJsonContext.Default.Manifest, MediaTypes.OciManifest);
        await using (var w = await _store.OpenWriterAsync("in-progress"))
        {
            await w.WriteAsync(Data("partial"));
        }

        var deleted = await new ContentGarbageCollector(_store).CollectAsync([index]);

        Assert.Equal(new[] { orphanLayer.Digest, orphanManifest.Digest }.ToHashSet(), deleted.ToHashSet());
        var left = (await _store.ListAsync()).Select(i => i.Digest).ToHashSet();
        Assert.Equal(new[] { layer.Digest, config.Digest, manifest.Digest, index.Digest }.ToHashSet(), left);
        Assert.Single(await _store.ListIngestsAsync());
    }
}
