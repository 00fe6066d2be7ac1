using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Quai.Api.Models;
using Quai.Distribution;
using Quai.Distribution.Auth;
using Quai.Distribution.Pull;
using Quai.Distribution.Push;
using Quai.Engine.Events;
using Quai.Images;
using Quai.Images.Content;
using Quai.Images.Formats;
using Quai.Images.Snapshots;
using Quai.Images.Store;
using Quai.Oci;
using Quai.Oci.References;
using Quai.Oci.Image;
using Platform = Quai.Oci.Image.Platform;

namespace Quai.Engine.Images;

/// <summary>
/// The engine's images: the image store and snapshots of Quai.Images, pull and push through
/// Quai.Distribution, with docker's progress messages and errors.
/// </summary>
public sealed class ImageService
{
    private readonly EngineOptions _options;
    private readonly EventBus _events;
    private readonly SemaphoreSlim _unpackLock = new(1, 1);
    private readonly GarbageCollectionGate _gc;

    internal ImageService(EngineOptions options, EventBus events, ILogger logger)
    {
        _options = options;
        _events = events;
        Content = new LocalContentStore(Path.Combine(options.DataRoot, "content"));
        Store = new ImageStore(Path.Combine(options.DataRoot, "images"), Content);
        Snapshots = new OverlaySnapshotter(Path.Combine(options.DataRoot, "snapshots"));
        _gc = new GarbageCollectionGate(
            () => Store.GarbageCollectAsync(Snapshots, TimeSpan.Zero, CancellationToken.None),
            e => logger.LogWarning("garbage collection of blobs and layers failed: {Error}", e.Message));
    }

    /// <summary>
    /// Keeps garbage collection away until the result is disposed: held by whatever writes blobs
    /// or relies on blobs and layer snapshots before an image record or a container's snapshot
    /// reaches them (<see cref="GarbageCollectionGate"/>).
    /// </summary>
    public Task<IDisposable> HoldContentAsync(CancellationToken ct) => _gc.EnterAsync(ct);

    /// <summary>Deletes the blobs and layer snapshots no image or container uses: now, or as soon as no operation holds them.</summary>
    public Task CollectGarbageAsync() => _gc.CollectAsync();

    /// <summary>The content store.</summary>
    public LocalContentStore Content { get; }

    /// <summary>The image store.</summary>
    public ImageStore Store { get; }

    /// <summary>The overlay snapshotter (image layers and containers' writable layers).</summary>
    public OverlaySnapshotter Snapshots { get; }

    /// <summary>Which containers use an image (set by the engine).</summary>
    public Func<IReadOnlyList<(string ContainerId, string ImageId, bool Running)>> Users { get; set; } = () => [];

    /// <summary>The image a container is created from; docker's 404 "No such image: busybox:latest" when absent.</summary>
    public async Task<ImageRecord> ResolveForRunAsync(string name, CancellationToken ct)
    {
        try
        {
            return await Store.ResolveAsync(name, ct).ConfigureAwait(false);
        }
        catch (ImageException e) when (e.Kind == ImageErrorKind.NotFound)
        {
            throw new EngineException(EngineErrorKind.NotFound, "No such image: " + Familiar(name));
        }
        catch (ImageException e)
        {
            throw Map(e);
        }
    }

    /// <summary>The image's size as docker shows it (<see cref="ImageStore.LayerSizesAsync"/>), 0 when it is gone.</summary>
    public async Task<long> ImageSizeAsync(string id, CancellationToken ct)
    {
        try
        {
            var image = await Store.ResolveAsync(id, ct).ConfigureAwait(false);
            return (await ImageStore.LayerSizesAsync(image, Snapshots, ct).ConfigureAwait(false)).Sum();
        }
        catch (ImageException)
        {
            return 0;
        }
    }

    /// <summary>Unpacks the image's layers (once) and returns the snapshot key of its top layer.</summary>
    public async Task<string?> UnpackAsync(ImageRecord image, CancellationToken ct)
    {
        using var hold = await HoldContentAsync(ct).ConfigureAwait(false);
        await _unpackLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await Store.UnpackAsync(image, Snapshots, ct).ConfigureAwait(false);
        }
        catch (ImageException e)
        {
            throw Map(e);
        }
        finally
        {
            _unpackLock.Release();
        }
    }

    /// <summary>
    /// POST /images/create?fromImage=…&amp;tag=…: pulls, recording the image and unpacking it, and
    /// reports docker's progress messages through <paramref name="progress"/>.
    /// </summary>
    public async Task PullAsync(string fromImage, string? tag, string? platform, RegistryCredentials? auth, Func<JsonMessage, Task> progress, CancellationToken ct)
    {
        ImageReference reference;
        try
        {
            var text = fromImage;
            if (!string.IsNullOrEmpty(tag))
            {
                text += tag.StartsWith("sha256:", StringComparison.Ordinal) ? "@" + tag : ":" + tag;
            }
            reference = ImageReference.Parse(text);
        }
        catch (FormatException e)
        {
            throw EngineException.Invalid($"invalid reference format: {e.Message}");
        }
        var familiarTag = reference.Digest is null ? reference.Tag ?? "latest" : reference.Digest.ToString();
        await progress(new JsonMessage { Status = $"Pulling from {reference.FamiliarName}", Id = familiarTag }).ConfigureAwait(false);

        var messages = System.Threading.Channels.Channel.CreateUnbounded<JsonMessage>(new() { SingleReader = true });
        var reporter = new CallbackProgress<PullProgress>(p => messages.Writer.TryWrite(ToMessage(p.Id, p.Status, p.Current, p.Total)));
        var pump = Task.Run(async () =>
        {
            await foreach (var m in messages.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                await progress(m).ConfigureAwait(false);
            }
        }, CancellationToken.None);

        PullResult result;
        bool existed;
        try
        {
            using var client = CreateClient(auth);
            // Blobs found or written here have no image until AddAsync: no collection meanwhile.
            using var hold = await HoldContentAsync(ct).ConfigureAwait(false);
            existed = await ExistsAsync(reference.ToString(), ct).ConfigureAwait(false);
            var options = new PullOptions { Platform = ParsePlatform(platform) };
            result = await new ImagePuller(client, Content).PullAsync(reference, options, reporter, ct).ConfigureAwait(false);
            Digest? previous = existed ? (await Store.ResolveAsync(reference.ToString(), ct).ConfigureAwait(false)).Id : null;
            var image = await Store.AddAsync(result.Root, [reference.ToString()], options.Platform, ct).ConfigureAwait(false);
            foreach (var layer in result.Layers)
            {
                messages.Writer.TryWrite(new JsonMessage { Status = "Pull complete", Id = ImagePuller.ShortId(layer.Digest), ProgressDetail = new ProgressDetail() });
            }
            await UnpackAsync(image, ct).ConfigureAwait(false);
            existed = existed && previous == image.Id;
        }
        catch (DistributionException e)
        {
            throw Map(e, reference);
        }
        catch (ImageException e)
        {
            throw Map(e);
        }
        finally
        {
            messages.Writer.TryComplete();
            await pump.ConfigureAwait(false);
        }
        await progress(new JsonMessage { Status = "Digest: " + result.Root.Digest }).ConfigureAwait(false);
        var familiar = reference.Digest is null ? reference.FamiliarString : reference.FamiliarName + "@" + reference.Digest;
        await progress(new JsonMessage { Status = existed ? "Status: Image is up to date for " + familiar : "Status: Downloaded newer image for " + familiar }).ConfigureAwait(false);
        _events.Publish("image", "pull", reference.FamiliarString, new Dictionary<string, string> { ["name"] = reference.FamiliarName });
    }

    /// <summary>POST /images/{name}/push with docker's progress messages; the last has aux {Tag, Digest, Size}.</summary>
    public async Task PushAsync(string name, string? tag, RegistryCredentials? auth, Func<JsonMessage, Task> progress, CancellationToken ct)
    {
        // The blobs being sent must outlive an rmi of the image meanwhile.
        using var hold = await HoldContentAsync(ct).ConfigureAwait(false);
        var text = string.IsNullOrEmpty(tag) ? name : name + ":" + tag;
        ImageReference reference;
        try
        {
            reference = ImageReference.Parse(text);
        }
        catch (FormatException e)
        {
            throw EngineException.Invalid($"invalid reference format: {e.Message}");
        }
        ImageRecord image;
        try
        {
            image = await Store.ResolveAsync(reference.ToString(), ct).ConfigureAwait(false);
        }
        catch (ImageException e) when (e.Kind == ImageErrorKind.NotFound)
        {
            throw new EngineException(EngineErrorKind.NotFound, $"An image does not exist locally with the tag: {reference.FamiliarName}");
        }
        await progress(new JsonMessage { Status = $"The push refers to repository [{reference.Domain}/{reference.Path}]" }).ConfigureAwait(false);
        var messages = System.Threading.Channels.Channel.CreateUnbounded<JsonMessage>(new() { SingleReader = true });
        var reporter = new CallbackProgress<PushProgress>(p => messages.Writer.TryWrite(ToMessage(p.Id, p.Status, p.Current, p.Total)));
        var pump = Task.Run(async () =>
        {
            await foreach (var m in messages.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                await progress(m).ConfigureAwait(false);
            }
        }, CancellationToken.None);
        Descriptor pushed;
        try
        {
            using var client = CreateClient(auth);
            pushed = await new ImagePusher(client, Content).PushAsync(reference, image.ManifestDescriptor, new PushOptions(), reporter, ct).ConfigureAwait(false);
        }
        catch (DistributionException e)
        {
            throw Map(e, reference);
        }
        finally
        {
            messages.Writer.TryComplete();
            await pump.ConfigureAwait(false);
        }
        var shownTag = reference.Tag ?? "latest";
        await progress(new JsonMessage { Status = $"{shownTag}: digest: {pushed.Digest} size: {pushed.Size}" }).ConfigureAwait(false);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("Tag", shownTag);
            w.WriteString("Digest", pushed.Digest.ToString());
            w.WriteNumber("Size", pushed.Size);
            w.WriteEndObject();
        }
        using var auxDoc = JsonDocument.Parse(buffer.WrittenMemory);
        var aux = auxDoc.RootElement.Clone();
        await progress(new JsonMessage { Progress = "", Aux = aux }).ConfigureAwait(false);
        _events.Publish("image", "push", reference.FamiliarString, new Dictionary<string, string> { ["name"] = reference.FamiliarName });
    }

    /// <summary>POST /auth: checks the credentials against the registry's /v2/ (docker login).</summary>
    public async Task LoginAsync(string? server, string username, string password, CancellationToken ct)
    {
        var domain = string.IsNullOrEmpty(server) || server.Contains("index.docker.io", StringComparison.Ordinal) ? "docker.io"
            : server.Replace("https://", "", StringComparison.Ordinal).Replace("http://", "", StringComparison.Ordinal).TrimEnd('/');
        if (domain.EndsWith("/v1", StringComparison.Ordinal) || domain.EndsWith("/v2", StringComparison.Ordinal))
        {
            domain = domain[..^3];
        }
        using var client = CreateClient(new RegistryCredentials(username, password));
        var endpoint = client.Hosts.Resolve(domain, push: false).First();
        try
        {
            using var response = await client.SendAsync(endpoint, "", "pull", () => new HttpRequestMessage(HttpMethod.Get, new Uri(endpoint.BaseUri, "/v2/")), cancellationToken: ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new EngineException(EngineErrorKind.Unauthorized, $"login attempt to {endpoint.BaseUri}v2/ failed with status: {(int)response.StatusCode} {response.ReasonPhrase}");
            }
        }
        catch (DistributionException e)
        {
            throw new EngineException(e.Kind == DistributionErrorKind.Unavailable ? EngineErrorKind.Unavailable : EngineErrorKind.Unauthorized, e.Message, e);
        }
    }

    private static JsonMessage ToMessage(string id, string status, long current, long total)
    {
        var m = new JsonMessage { Id = id, Status = status };
        if (status is "Downloading" or "Pushing" or "Extracting")
        {
            m.ProgressDetail = new ProgressDetail { Current = current, Total = total };
            m.Progress = ProgressBar(current, total);
        }
        else
        {
            m.ProgressDetail = new ProgressDetail();
        }
        return m;
    }

    /// <summary>moby's pre-rendered bar: "[=====>    ]  1.2MB/3.4MB".</summary>
    public static string ProgressBar(long current, long total)
    {
        if (total <= 0)
        {
            return HumanSize(current);
        }
        const int width = 50;
        var filled = (int)Math.Min(width, current * width / total);
        var bar = new string('=', Math.Max(0, filled - 1)) + (filled > 0 ? (filled == width ? "=" : ">") : "") + new string(' ', width - filled);
        return $"[{bar}] {HumanSize(current),8}/{HumanSize(total)}";
    }

    /// <summary>go-units HumanSize (decimal, 4 significant digits): "1.23MB".</summary>
    public static string HumanSize(double size)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB", "PB"];
        var i = 0;
        while (size >= 1000 && i < units.Length - 1)
        {
            size /= 1000;
            i++;
        }
        return size.ToString("0.###", CultureInfo.InvariantCulture) + units[i];
    }

    private RegistryClient CreateClient(RegistryCredentials? auth)
    {
        var mirrors = new Dictionary<string, List<Uri>>(StringComparer.Ordinal);
        if (_options.RegistryMirrors.Count > 0)
        {
            mirrors["docker.io"] = [.. _options.RegistryMirrors.Select(m => new Uri(m))];
        }
        ICredentialProvider? credentials = null;
        if (auth is not null)
        {
            credentials = new AnyDomainCredentials(auth);
        }
        return new RegistryClient(new RegistryClientOptions
        {
            Mirrors = mirrors,
            InsecureRegistries = [.. _options.InsecureRegistries],
            Credentials = credentials,
            UserAgent = "quai/0.1 (engine)",
        });
    }

    private sealed class AnyDomainCredentials(RegistryCredentials credentials) : ICredentialProvider
    {
        public Task<RegistryCredentials?> GetAsync(string domain, CancellationToken cancellationToken = default) => Task.FromResult<RegistryCredentials?>(credentials);
    }

    /// <summary>Reports synchronously on the reporting thread (Progress&lt;T&gt; would post and could reorder).</summary>
    private sealed class CallbackProgress<T>(Action<T> callback) : IProgress<T>
    {
        public void Report(T value) => callback(value);
    }

    private async Task<bool> ExistsAsync(string reference, CancellationToken ct)
    {
        try
        {
            await Store.ResolveAsync(reference, ct).ConfigureAwait(false);
            return true;
        }
        catch (ImageException)
        {
            return false;
        }
    }

    private static Platform? ParsePlatform(string? platform)
    {
        if (string.IsNullOrEmpty(platform))
        {
            return null;
        }
        var parts = platform.Split('/');
        return new Platform { Os = parts[0], Architecture = parts.Length > 1 ? parts[1] : "amd64", Variant = parts.Length > 2 ? parts[2] : null };
    }

    /// <summary>"busybox" → "busybox:latest", as docker's messages show names.</summary>
    public static string Familiar(string name)
    {
        try
        {
            var r = ImageReference.Parse(name);
            return r.Digest is null ? r.FamiliarString : r.FamiliarName + "@" + r.Digest;
        }
        catch (FormatException)
        {
            return name;
        }
    }

    internal static EngineException Map(ImageException e) => new(e.Kind switch
    {
        ImageErrorKind.NotFound => EngineErrorKind.NotFound,
        ImageErrorKind.AlreadyExists or ImageErrorKind.Conflict => EngineErrorKind.Conflict,
        ImageErrorKind.InvalidArgument => EngineErrorKind.InvalidArgument,
        ImageErrorKind.Unavailable => EngineErrorKind.Unavailable,
        _ => EngineErrorKind.Internal,
    }, e.Message, e);

    private static EngineException Map(DistributionException e, ImageReference reference) => new(e.Kind switch
    {
        DistributionErrorKind.NotFound => EngineErrorKind.NotFound,
        DistributionErrorKind.Unauthorized => EngineErrorKind.Unauthorized,
        DistributionErrorKind.Denied => EngineErrorKind.Forbidden,
        DistributionErrorKind.Unavailable => EngineErrorKind.Unavailable,
        DistributionErrorKind.InvalidArgument => EngineErrorKind.InvalidArgument,
        _ => EngineErrorKind.Internal,
    }, e.Kind == DistributionErrorKind.NotFound
        ? $"pull access denied for {reference.FamiliarName}, repository does not exist or may require 'docker login': {e.Message}"
        : e.Message, e);
}
