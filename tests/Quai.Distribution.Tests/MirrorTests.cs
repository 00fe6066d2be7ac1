using Quai.Distribution.Pull;
using Quai.Distribution.Push;
using Quai.Oci.References;
using Quai.Testing.Registry;

namespace Quai.Distribution.Tests;

public class MirrorTests
{
    [Fact]
    public async Task AMirrorWithoutTheImageFallsThroughToTheRegistry()
    {
        await using var mirror = await TestRegistry.StartAsync();
        await using var upstream = await TestRegistry.StartAsync();
        var image = TestImage.Random(51, 1000);
        using (var source = new ClientHarness())
        {
            await new ImagePusher(source.Client, source.Store).PushAsync(ImageReference.Parse($"{upstream.Host}/m/app:v1"), await source.AddAsync(image));
        }
        using var target = new ClientHarness(new RegistryClientOptions { Mirrors = new() { [upstream.Host] = [mirror.Server.BaseAddress] } });
        var result = await new ImagePuller(target.Client, target.Store).PullAsync(ImageReference.Parse($"{upstream.Host}/m/app:v1"));
        Assert.Equal(image.ManifestDigest, result.Root.Digest.ToString());

        // Once the mirror has it, the mirror serves it (the upstream is gone).
        using (var seed = new ClientHarness())
        {
            await new ImagePusher(seed.Client, seed.Store).PushAsync(ImageReference.Parse($"{mirror.Host}/m/app:v1"), await seed.AddAsync(image));
        }
        await upstream.DisposeAsync();
        using var again = new ClientHarness(new RegistryClientOptions { Mirrors = new() { [upstream.Host] = [mirror.Server.BaseAddress] } });
        var fromMirror = await new ImagePuller(again.Client, again.Store).PullAsync(ImageReference.Parse($"{upstream.Host}/m/app:v1"));
        Assert.Equal(image.ManifestDigest, fromMirror.Root.Digest.ToString());
    }
}
