using System.Net.Http.Headers;
using System.Text;
using Quai.Testing;
using Quai.Testing.Registry;

namespace Quai.Registry.Tests;

/// <summary>A quai-registry on 127.0.0.1 with an ephemeral port and a temporary root, plus an HttpClient to it.</summary>
internal sealed class TestRegistry : IAsyncDisposable
{
    private TestRegistry(TempDir dir, RegistryServer server, StringWriter log)
    {
        Dir = dir;
        Server = server;
        Log = log;
        Http = new HttpClient { BaseAddress = server.BaseAddress };
    }

    public TempDir Dir { get; }

    public RegistryServer Server { get; }

    public StringWriter Log { get; }

    public HttpClient Http { get; }

    public string Root => Dir.Combine("root");

    public static async Task<TestRegistry> StartAsync(Func<TempDir, string, RegistryOptions>? configure = null)
    {
        var dir = new TempDir("quai-registry-test");
        var log = new StringWriter();
        var options = configure?.Invoke(dir, dir.Combine("root")) ?? new RegistryOptions { Root = dir.Combine("root"), Address = "127.0.0.1:0", RequestLog = log };
        var server = await RegistryServer.StartAsync(options);
        return new TestRegistry(dir, server, log);
    }

    /// <summary>Uploads a blob monolithically (POST ?digest=).</summary>
    public async Task PutBlobAsync(string repo, byte[] blob)
    {
        using var r = await Http.PostAsync($"/v2/{repo}/blobs/uploads/?digest={TestImage.DigestOf(blob)}", new ByteArrayContent(blob));
        Assert.Equal(System.Net.HttpStatusCode.Created, r.StatusCode);
    }

    /// <summary>PUTs a manifest with its media type.</summary>
    public Task<HttpResponseMessage> PutManifestAsync(string repo, string reference, byte[] manifest, string mediaType = "application/vnd.oci.image.manifest.v1+json")
    {
        var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return Http.PutAsync($"/v2/{repo}/manifests/{reference}", content);
    }

    /// <summary>Pushes all of a test image and tags it.</summary>
    public async Task PushAsync(string repo, TestImage image, string tag)
    {
        foreach (var layer in image.Layers)
        {
            await PutBlobAsync(repo, layer);
        }
        await PutBlobAsync(repo, image.Config);
        using var r = await PutManifestAsync(repo, tag, image.Manifest);
        Assert.Equal(System.Net.HttpStatusCode.Created, r.StatusCode);
    }

    /// <summary>The first error code of a response's JSON body.</summary>
    public static async Task<string> ErrorCodeAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        using var doc = System.Text.Json.JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("errors")[0].GetProperty("code").GetString()!;
    }

    public static ByteArrayContent Bytes(string s) => new(Encoding.UTF8.GetBytes(s));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        Log.Dispose();
        Dir.Dispose();
    }
}
