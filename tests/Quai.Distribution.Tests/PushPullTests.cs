using Quai.Distribution.Auth;
using Quai.Distribution.Pull;
using Quai.Distribution.Push;
using Quai.Images.Content;
using Quai.Oci.Image;
using Quai.Oci.References;
using Quai.Testing.Registry;

namespace Quai.Distribution.Tests;

// The client end to end against quai-registry and docker's registry: what is pulled is what was pushed.
public class PushPullTests
{
    private static async Task RoundTripAsync(string host, PushOptions? pushOptions = null, Dictionary<string, RegistryCredentials>? credentials = null, RegistryClientOptions? options = null)
    {
        var image = TestImage.Random(21, 300_000, 5_000);
        using var source = new ClientHarness(options, credentials);
        var root = await source.AddAsync(image);
        var pushProgress = new Collector<PushProgress>();
        await new ImagePusher(source.Client, source.Store).PushAsync(ImageReference.Parse($"{host}/team/app:v1"), root, pushOptions, pushProgress);
        Assert.Equal(2, pushProgress.Events.Count(e => e.Status == PushProgress.Pushed));
        Assert.Contains(pushProgress.Events, e => e.Status == PushProgress.Preparing);
        Assert.Contains(pushProgress.Events, e => e.Status == PushProgress.Pushing && e.Current == e.Total);

        using var target = new ClientHarness(options, credentials);
        var pullProgress = new Collector<PullProgress>();
        var result = await new ImagePuller(target.Client, target.Store).PullAsync(ImageReference.Parse($"{host}/team/app:v1"), null, pullProgress);
        Assert.Equal(image.ManifestDigest, result.Root.Digest.ToString());
        Assert.Equal(TestImage.DigestOf(image.Config), result.Config.Digest.ToString());
        Assert.True(await target.HoldsAsync(image.Manifest));
        Assert.True(await target.HoldsAsync(image.Config));
        foreach (var layer in image.Layers)
        {
            Assert.True(await target.HoldsAsync(layer));
        }
        foreach (var status in new[] { PullProgress.PullingFsLayer, PullProgress.Downloading, PullProgress.VerifyingChecksum, PullProgress.DownloadComplete })
        {
            Assert.Equal(2, pullProgress.Events.Where(e => e.Status == status).Select(e => e.Id).Distinct().Count());
        }

        // A second push finds every blob there already.
        var again = new Collector<PushProgress>();
        await new ImagePusher(source.Client, source.Store).PushAsync(ImageReference.Parse($"{host}/team/app:v2"), root, pushOptions, again);
        Assert.Equal(2, again.Events.Count(e => e.Status == PushProgress.LayerAlreadyExists));

        // Pulling again finds every layer in the store.
        var repeat = new Collector<PullProgress>();
        await new ImagePuller(target.Client, target.Store).PullAsync(ImageReference.Parse($"{host}/team/app@{image.ManifestDigest}"), null, repeat);
        Assert.Equal(2, repeat.Events.Count(e => e.Status == PullProgress.AlreadyExists));
    }

    [Fact]
    public async Task PushThenPullAgainstQuaiRegistry()
    {
        await using var reg = await TestRegistry.StartAsync();
        await RoundTripAsync(reg.Host);
    }

    [Fact]
    public async Task ChunkedPushThenPullAgainstQuaiRegistry()
    {
        await using var reg = await TestRegistry.StartAsync();
        await RoundTripAsync(reg.Host, new PushOptions { ChunkSize = 64 * 1024 });
    }

    [Fact]
    public async Task PushThenPullAgainstDockerRegistry()
    {
        await using var reg = await DockerRegistry.StartAsync();
        await RoundTripAsync(reg.Host);
    }

    [Fact]
    public async Task ChunkedPushThenPullAgainstDockerRegistry()
    {
        await using var reg = await DockerRegistry.StartAsync();
        await RoundTripAsync(reg.Host, new PushOptions { ChunkSize = 64 * 1024 });
    }

    [Fact]
    public async Task DockerRegistryWithHtpasswdTakesTheRightCredentialsAndRefusesWrongOnes()
    {
        await using var reg = await DockerRegistry.StartAsync("bob", "hunter2");
        await RoundTripAsync(reg.Host, credentials: new() { [reg.Host] = new RegistryCredentials("bob", "hunter2") });

        using var wrong = new ClientHarness(credentials: new() { [reg.Host] = new RegistryCredentials("bob", "wrong") });
        var e = await Assert.ThrowsAsync<DistributionException>(() => new ImagePuller(wrong.Client, wrong.Store).PullAsync(ImageReference.Parse($"{reg.Host}/team/app:v1")));
        Assert.Equal(DistributionErrorKind.Unauthorized, e.Kind);
        Assert.Contains("UNAUTHORIZED", e.Codes);

        using var anonymous = new ClientHarness();
        var a = await Assert.ThrowsAsync<DistributionException>(() => new ImagePuller(anonymous.Client, anonymous.Store).PullAsync(ImageReference.Parse($"{reg.Host}/team/app:v1")));
        Assert.Equal(DistributionErrorKind.Unauthorized, a.Kind);
        Assert.Contains("log in", a.Message);
    }

    [Fact]
    public async Task BearerTokenFlowAgainstQuaiRegistryTokenMode()
    {
        await using var reg = await TestRegistry.StartAsync("carol", "pa55", token: true);
        var credentials = new Dictionary<string, RegistryCredentials> { [reg.Host] = new RegistryCredentials("carol", "pa55") };
        await RoundTripAsync(reg.Host, credentials: credentials);

        using var wrong = new ClientHarness(credentials: new() { [reg.Host] = new RegistryCredentials("carol", "nope") });
        var e = await Assert.ThrowsAsync<DistributionException>(() => new ImagePuller(wrong.Client, wrong.Store).PullAsync(ImageReference.Parse($"{reg.Host}/team/app:v1")));
        Assert.Equal(DistributionErrorKind.Unauthorized, e.Kind);
        Assert.Contains("incorrect username or password for user \"carol\"", e.Message);
    }

    [Fact]
    public async Task BearerTokenFlowWithTheOAuthPostForm()
    {
        await using var reg = await TestRegistry.StartAsync("dave", "pw", token: true);
        var credentials = new Dictionary<string, RegistryCredentials> { [reg.Host] = new RegistryCredentials("dave", "pw") };
        await RoundTripAsync(reg.Host, credentials: credentials, options: new RegistryClientOptions { PreferOAuthTokenPost = true });
    }

    [Fact]
    public async Task BlobsAreMountedFromAnotherRepositoryWithTokens()
    {
        await using var reg = await TestRegistry.StartAsync("erin", "pw", token: true);
        var credentials = new Dictionary<string, RegistryCredentials> { [reg.Host] = new RegistryCredentials("erin", "pw") };
        using var harness = new ClientHarness(credentials: credentials);
        var root = await harness.AddAsync(TestImage.Random(22, 1000));
        var pusher = new ImagePusher(harness.Client, harness.Store);
        await pusher.PushAsync(ImageReference.Parse($"{reg.Host}/base/app:v1"), root);
        var progress = new Collector<PushProgress>();
        await pusher.PushAsync(ImageReference.Parse($"{reg.Host}/derived/app:v1"), root, new PushOptions { MountFrom = ["base/app"] }, progress);
        Assert.Contains(progress.Events, e => e.Status == "Mounted from base/app");
    }

    [Fact]
    public async Task BlobsAreMountedFromAnotherRepositoryOfDockerRegistry()
    {
        await using var reg = await DockerRegistry.StartAsync();
        using var harness = new ClientHarness();
        var root = await harness.AddAsync(TestImage.Random(26, 1000));
        var pusher = new ImagePusher(harness.Client, harness.Store);
        await pusher.PushAsync(ImageReference.Parse($"{reg.Host}/base/app:v1"), root);
        var progress = new Collector<PushProgress>();
        await pusher.PushAsync(ImageReference.Parse($"{reg.Host}/derived/app:v1"), root, new PushOptions { MountFrom = ["base/app"] }, progress);
        Assert.Contains(progress.Events, e => e.Status == "Mounted from base/app");
        using var target = new ClientHarness();
        var result = await new ImagePuller(target.Client, target.Store).PullAsync(ImageReference.Parse($"{reg.Host}/derived/app:v1"));
        Assert.Equal(root.Digest, result.Root.Digest);
    }

    [Fact]
    public async Task MissingTagIsNotFoundWithTheRegistrysCode()
    {
        await using var reg = await TestRegistry.StartAsync();
        using var harness = new ClientHarness();
        var e = await Assert.ThrowsAsync<DistributionException>(() => new ImagePuller(harness.Client, harness.Store).PullAsync(ImageReference.Parse($"{reg.Host}/nothing:here")));
        Assert.Equal(DistributionErrorKind.NotFound, e.Kind);
        Assert.Contains("MANIFEST_UNKNOWN", e.Codes);
        Assert.Contains($"{reg.Host}/nothing:here", e.Message);
    }

    [Fact]
    public async Task PlatformIsChosenFromAnIndex()
    {
        await using var reg = await TestRegistry.StartAsync();
        using var harness = new ClientHarness();
        var amd = TestImage.Random(23, 100);
        var arm = TestImage.Random(24, 200);
        var amdRoot = await harness.AddAsync(amd);
        var armRoot = await harness.AddAsync(arm);
        amdRoot.Platform = new Platform { Os = "linux", Architecture = "amd64" };
        armRoot.Platform = new Platform { Os = "linux", Architecture = "arm64", Variant = "v8" };
        var index = await harness.Store.WriteJsonAsync(new ImageIndex { MediaType = MediaTypes.OciIndex, Manifests = [amdRoot, armRoot] }, Quai.Oci.OciJsonContext.Default.ImageIndex, MediaTypes.OciIndex);
        await new ImagePusher(harness.Client, harness.Store).PushAsync(ImageReference.Parse($"{reg.Host}/multi:v1"), index);

        using var target = new ClientHarness();
        var puller = new ImagePuller(target.Client, target.Store);
        var result = await puller.PullAsync(ImageReference.Parse($"{reg.Host}/multi:v1"), new PullOptions { Platform = new Platform { Os = "linux", Architecture = "arm64" } });
        Assert.Equal(index.Digest, result.Root.Digest);
        Assert.Equal(arm.ManifestDigest, result.ManifestDescriptor.Digest.ToString());
        Assert.True(await target.HoldsAsync(arm.Layers[0]));
        Assert.False(await target.HoldsAsync(amd.Layers[0]));

        var e = await Assert.ThrowsAsync<DistributionException>(() => puller.PullAsync(ImageReference.Parse($"{reg.Host}/multi:v1"), new PullOptions { Platform = new Platform { Os = "linux", Architecture = "s390x" } }));
        Assert.Equal(DistributionErrorKind.PlatformNotFound, e.Kind);
        Assert.Contains("linux/arm64/v8", e.Message);
    }

    [Fact]
    public async Task LayerHookRunsOncePerLayerWhenCommitted()
    {
        await using var reg = await TestRegistry.StartAsync();
        using var source = new ClientHarness();
        var image = TestImage.Random(25, 1000, 2000, 3000);
        await new ImagePusher(source.Client, source.Store).PushAsync(ImageReference.Parse($"{reg.Host}/hook:v1"), await source.AddAsync(image));
        using var target = new ClientHarness();
        var seen = new System.Collections.Concurrent.ConcurrentBag<(int Index, bool Present)>();
        await new ImagePuller(target.Client, target.Store).PullAsync(ImageReference.Parse($"{reg.Host}/hook:v1"), new PullOptions
        {
            LayerCommitted = async (layer, index, ct) => seen.Add((index, await target.Store.InfoAsync(layer.Digest, ct) is not null)),
        });
        Assert.Equal([0, 1, 2], seen.Select(s => s.Index).Order());
        Assert.All(seen, s => Assert.True(s.Present));
    }
}
