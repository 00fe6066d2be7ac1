using Quai.Distribution.Auth;
using Quai.Images.Content;
using Quai.Oci;
using Quai.Oci.Image;
using Quai.Testing;
using Quai.Testing.Registry;

namespace Quai.Distribution.Tests;

/// <summary>A content store in a temporary directory and a registry client with explicit credentials (never the user's ~/.docker).</summary>
internal sealed class ClientHarness : IDisposable
{
    public ClientHarness(RegistryClientOptions? options = null, Dictionary<string, RegistryCredentials>? credentials = null)
    {
        Dir = new TempDir("quai-client-test");
        Store = new LocalContentStore(Dir.Combine("content"));
        var o = options ?? new RegistryClientOptions();
        Client = new RegistryClient(new RegistryClientOptions
        {
            Credentials = o.Credentials ?? new StaticCredentials(credentials ?? []),
            Mirrors = o.Mirrors,
            InsecureRegistries = o.InsecureRegistries,
            TrustedCertificates = o.TrustedCertificates,
            PlainHttpForLoopback = o.PlainHttpForLoopback,
            PreferOAuthTokenPost = o.PreferOAuthTokenPost,
            RetryDelay = TimeSpan.FromMilliseconds(10),
        });
    }

    public TempDir Dir { get; }

    public LocalContentStore Store { get; }

    public RegistryClient Client { get; }

    /// <summary>Commits a test image's blobs and returns its manifest descriptor.</summary>
    public async Task<Descriptor> AddAsync(TestImage image)
    {
        foreach (var layer in image.Layers)
        {
            await Store.WriteBytesAsync(layer, MediaTypes.OciLayerGzip);
        }
        await Store.WriteBytesAsync(image.Config, MediaTypes.OciConfig);
        return await Store.WriteBytesAsync(image.Manifest, MediaTypes.OciManifest);
    }

    /// <summary>True when the store holds exactly these bytes under their digest.</summary>
    public async Task<bool> HoldsAsync(byte[] blob)
    {
        var digest = Digest.Parse(TestImage.DigestOf(blob));
        if (await Store.InfoAsync(digest) is null)
        {
            return false;
        }
        return (await Store.ReadAllBytesAsync(digest, long.MaxValue)).AsSpan().SequenceEqual(blob);
    }

    public void Dispose()
    {
        Client.Dispose();
        Dir.Dispose();
    }
}
