using System.Text.Json;
using Quai.Api.Http;
using Quai.Api.Models;
using Quai.Distribution.Auth;
using Quai.Engine;
using Quai.Images;
using Quai.Images.Formats;
using Quai.Images.Store;

namespace Quai.Api.Docker;

public sealed partial class DockerApi
{
    private void MapImages(Router r)
    {
        r.MapPost("/images/create", CreateImageAsync);
        r.MapGet("/images/json", async ctx =>
        {
            var list = (await ImageSummariesAsync(QBool(ctx, "all"), Filters.Parse(Q(ctx, "filters")), ctx.RequestAborted).ConfigureAwait(false)).Select(e => e.Summary).ToList();
            await ctx.Response.WriteJsonAsync(list, ApiJsonContext.Default.ListImageSummary, ctx.RequestAborted).ConfigureAwait(false);
        });
        r.MapGet("/images/search", _ => throw new EngineException(EngineErrorKind.Unavailable, "image search needs Docker Hub's index (index.docker.io), which this daemon cannot reach"));
        r.MapPost("/images/load", LoadImagesAsync);
        r.MapGet("/images/get", ctx => SaveImagesAsync(ctx, ctx.Request.Query.GetValues("names")));
        r.MapPost("/images/prune", PruneImagesAsync);
        r.MapGet("/images/{name:.*}/json", async ctx =>
        {
            var inspect = await Images(() => _engine.Images.Store.InspectAsync(Id(ctx, "name"), _engine.Images.Snapshots, ctx.RequestAborted), Id(ctx, "name")).ConfigureAwait(false);
            await ctx.Response.WriteJsonAsync(inspect, ImagesJsonContext.Default.ImageInspect, ctx.RequestAborted).ConfigureAwait(false);
        });
        r.MapGet("/images/{name:.*}/history", async ctx =>
        {
            var history = await Images(() => _engine.Images.Store.HistoryAsync(Id(ctx, "name"), _engine.Images.Snapshots, ctx.RequestAborted), Id(ctx, "name")).ConfigureAwait(false);
            await ctx.Response.WriteJsonAsync([.. history], ImagesJsonContext.Default.ListImageHistoryItem, ctx.RequestAborted).ConfigureAwait(false);
        });
        r.MapGet("/images/{name:.*}/get", ctx => SaveImagesAsync(ctx, [Id(ctx, "name")]));
        r.MapPost("/images/{name:.*}/tag", async ctx =>
        {
            var repo = Q(ctx, "repo") ?? throw new EngineException(EngineErrorKind.InvalidArgument, "repository name must not be empty");
            var tag = Q(ctx, "tag");
            var target = string.IsNullOrEmpty(tag) ? repo : repo + ":" + tag;
            await Images(() => _engine.Images.Store.TagAsync(Id(ctx, "name"), target, ctx.RequestAborted), Id(ctx, "name")).ConfigureAwait(false);
            _engine.Events.Publish("image", "tag", Id(ctx, "name"), new Dictionary<string, string> { ["name"] = target });
            ctx.Response.StatusCode = 201;
            ctx.Response.ContentLength = 0;
            await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
        });
        r.MapPost("/images/{name:.*}/push", PushImageAsync);
        r.MapDelete("/images/{name:.*}", RemoveImageAsync);
    }

    private static async Task<T> Images<T>(Func<Task<T>> action, string name)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (ImageException e) when (e.Kind == ImageErrorKind.NotFound)
        {
            throw new EngineException(EngineErrorKind.NotFound, "No such image: " + Engine.Images.ImageService.Familiar(name), e);
        }
        catch (ImageException e)
        {
            throw new EngineException(e.Kind switch
            {
                ImageErrorKind.Conflict or ImageErrorKind.AlreadyExists or ImageErrorKind.FailedPrecondition => EngineErrorKind.Conflict,
                ImageErrorKind.InvalidArgument => EngineErrorKind.InvalidArgument,
                ImageErrorKind.Unavailable => EngineErrorKind.Unavailable,
                _ => EngineErrorKind.Internal,
            }, e.Message, e);
        }
    }

    /// <summary>The images as GET /images/json lists them, each with its record and its layers' sizes (which system df also needs).</summary>
    private async Task<List<(ImageSummary Summary, ImageRecord Image, IReadOnlyList<long> LayerSizes)>> ImageSummariesAsync(bool all, Filters filters, CancellationToken ct)
    {
        _ = all;
        filters.Validate("dangling", "label", "label!", "before", "since", "reference", "until");
        var images = await _engine.Images.Store.ListAsync(ct).ConfigureAwait(false);
        var users = _engine.Containers.ImageUsers();
        DateTimeOffset? before = filters.Get("before") is { Count: > 0 } b ? (await _engine.Images.Store.ResolveAsync(b[0], ct).ConfigureAwait(false)).Config.Created : null;
        DateTimeOffset? since = filters.Get("since") is { Count: > 0 } s ? (await _engine.Images.Store.ResolveAsync(s[0], ct).ConfigureAwait(false)).Config.Created : null;
        var result = new List<(ImageSummary, ImageRecord, IReadOnlyList<long>)>();
        foreach (var i in images)
        {
            var created = i.Config.Created ?? i.Added;
            var dangling = i.RepoTags.Count == 0;
            if (filters.Get("dangling") is { Count: > 0 } d && (d[0] is "true" or "1") != dangling)
            {
                continue;
            }
            if (!filters.MatchLabels(i.Config.Config?.Labels) || (before is not null && created >= before) || (since is not null && created <= since))
            {
                continue;
            }
            if (filters.Get("reference") is { Count: > 0 } refs && !refs.Any(r => i.RepoTags.Any(t => MatchReference(t, r))))
            {
                continue;
            }
            var layerSizes = await ImageStore.LayerSizesAsync(i, _engine.Images.Snapshots, ct).ConfigureAwait(false);
            var size = layerSizes.Sum();
            result.Add((new ImageSummary
            {
                Id = i.Id.ToString(),
                ParentId = "",
                RepoTags = [.. i.RepoTags],
                RepoDigests = [.. i.RepoDigests],
                Created = created.ToUnixTimeSeconds(),
                Size = size,
                SharedSize = -1,
                VirtualSize = size,
                Labels = i.Config.Config?.Labels ?? [],
                Containers = users.Count(u => u.ImageId == i.Id.ToString()),
            }, i, layerSizes));
        }
        return result;
    }

    /// <summary>docker's reference filter: a glob over "name" or "name:tag".</summary>
    private static bool MatchReference(string tag, string pattern)
    {
        var regex = "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", "[^/]*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$";
        var name = tag.Contains(':', StringComparison.Ordinal) ? tag[..tag.LastIndexOf(':')] : tag;
        return System.Text.RegularExpressions.Regex.IsMatch(tag, regex) || System.Text.RegularExpressions.Regex.IsMatch(name, regex);
    }

    private static RegistryCredentials? RegistryAuth(HttpContext ctx)
    {
        var header = ctx.Request.Headers["X-Registry-Auth"];
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }
        try
        {
            var padded = header.Replace('-', '+').Replace('_', '/');
            padded = padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '=');
            var auth = JsonSerializer.Deserialize(Convert.FromBase64String(padded), ApiJsonContext.Default.AuthConfig);
            if (auth is null || (string.IsNullOrEmpty(auth.Username) && string.IsNullOrEmpty(auth.Password)))
            {
                return null;
            }
            return new RegistryCredentials(auth.Username ?? "", auth.Password ?? "");
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Starts a docker JSON progress stream; errors after it started go into the stream.</summary>
    private static async Task StreamJsonMessagesAsync(HttpContext ctx, Func<Func<JsonMessage, Task>, Task> work)
    {
        var started = false;
        async Task Write(JsonMessage m)
        {
            if (!started)
            {
                ctx.Response.Headers["Content-Type"] = "application/json";
                await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
                started = true;
            }
            var bytes = JsonSerializer.SerializeToUtf8Bytes(m, ApiJsonContext.Default.JsonMessage);
            await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted).ConfigureAwait(false);
            await ctx.Response.Body.WriteAsync("\r\n"u8.ToArray(), ctx.RequestAborted).ConfigureAwait(false);
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
        }
        var gate = new SemaphoreSlim(1, 1);
        async Task Serialized(JsonMessage m)
        {
            await gate.WaitAsync(ctx.RequestAborted).ConfigureAwait(false);
            try
            {
                await Write(m).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }
        try
        {
            await work(Serialized).ConfigureAwait(false);
        }
        catch (EngineException e) when (started)
        {
            await Serialized(new JsonMessage { Error = e.Message, ErrorDetail = new ErrorDetail { Message = e.Message } }).ConfigureAwait(false);
        }
    }

    private async Task CreateImageAsync(HttpContext ctx)
    {
        var fromImage = Q(ctx, "fromImage");
        var fromSrc = Q(ctx, "fromSrc");
        if (!string.IsNullOrEmpty(fromImage))
        {
            var auth = RegistryAuth(ctx);
            await StreamJsonMessagesAsync(ctx, progress => _engine.Images.PullAsync(fromImage, Q(ctx, "tag"), Q(ctx, "platform"), auth, progress, ctx.RequestAborted)).ConfigureAwait(false);
            return;
        }
        if (fromSrc == "-")
        {
            var repo = Q(ctx, "repo");
            var tag = Q(ctx, "tag");
            var reference = string.IsNullOrEmpty(repo) ? null : string.IsNullOrEmpty(tag) ? repo : repo + ":" + tag;
            var changes = ctx.Request.Query.GetValues("changes");
            using var hold = await _engine.Images.HoldContentAsync(ctx.RequestAborted).ConfigureAwait(false);
            var image = await Images(() => ImageImporter.ImportAsync(_engine.Images.Store, ctx.Request.Body, reference, changes, Q(ctx, "message") is { Length: > 0 } m ? m : "Imported from " + fromSrc, null, ctx.RequestAborted), reference ?? "import").ConfigureAwait(false);
            // Unpacked now, as dockerd registers an imported layer at once: its size is then known.
            await _engine.Images.UnpackAsync(image, ctx.RequestAborted).ConfigureAwait(false);
            _engine.Events.Publish("image", "import", image.Id.ToString(), new Dictionary<string, string> { ["name"] = reference ?? "" });
            await StreamJsonMessagesAsync(ctx, progress => progress(new JsonMessage { Status = image.Id.ToString() })).ConfigureAwait(false);
            return;
        }
        throw new EngineException(EngineErrorKind.InvalidArgument, string.IsNullOrEmpty(fromSrc)
            ? "give fromImage (pull) or fromSrc=- with the tar in the body (import)"
            : "import from a URL (fromSrc=" + fromSrc + ") is not supported: send the tar in the request body with fromSrc=-");
    }

    private async Task PushImageAsync(HttpContext ctx)
    {
        var auth = RegistryAuth(ctx);
        await StreamJsonMessagesAsync(ctx, progress => _engine.Images.PushAsync(Id(ctx, "name"), Q(ctx, "tag"), auth, progress, ctx.RequestAborted)).ConfigureAwait(false);
    }

    private async Task RemoveImageAsync(HttpContext ctx)
    {
        var name = Id(ctx, "name");
        var force = QBool(ctx, "force");
        var items = await Images(() => _engine.Images.Store.RemoveAsync(name, force, id =>
            [.. _engine.Containers.ImageUsers().Where(u => u.ImageId == id.ToString()).Select(u => new ImageUse(u.ContainerId, u.Running))], ctx.RequestAborted), name).ConfigureAwait(false);
        foreach (var i in items)
        {
            _engine.Events.Publish("image", i.Deleted is not null ? "delete" : "untag", i.Deleted ?? i.Untagged ?? name, new Dictionary<string, string> { ["name"] = name });
        }
        if (items.Any(i => i.Deleted is not null))
        {
            await _engine.Images.CollectGarbageAsync().ConfigureAwait(false);
        }
        var response = items.Select(i => new ImageDeleteResponseItem { Untagged = i.Untagged, Deleted = i.Deleted }).ToList();
        await ctx.Response.WriteJsonAsync(response, ApiJsonContext.Default.ListImageDeleteResponseItem, ctx.RequestAborted).ConfigureAwait(false);
    }

    private async Task SaveImagesAsync(HttpContext ctx, IReadOnlyList<string> names)
    {
        using var hold = await _engine.Images.HoldContentAsync(ctx.RequestAborted).ConfigureAwait(false);
        foreach (var n in names)
        {
            await Images(() => _engine.Images.Store.ResolveAsync(n, ctx.RequestAborted), n).ConfigureAwait(false);
        }
        ctx.Response.Headers["Content-Type"] = "application/x-tar";
        await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
        await DockerArchive.SaveAsync(_engine.Images.Store, names, ctx.Response.Body, ctx.RequestAborted).ConfigureAwait(false);
    }

    private async Task LoadImagesAsync(HttpContext ctx)
    {
        var work = Path.Combine(_engine.Options.DataRoot, "tmp");
        Directory.CreateDirectory(work);
        var names = new List<string>();
        using var hold = await _engine.Images.HoldContentAsync(ctx.RequestAborted).ConfigureAwait(false);
        var images = await Images(() => DockerArchive.LoadAsync(_engine.Images.Store, ctx.Request.Body, names, work, null, ctx.RequestAborted), "archive").ConfigureAwait(false);
        foreach (var image in images)
        {
            await _engine.Images.UnpackAsync(image, ctx.RequestAborted).ConfigureAwait(false);
            _engine.Events.Publish("image", "load", image.Id.ToString());
        }
        await StreamJsonMessagesAsync(ctx, async progress =>
        {
            // docker prints the names the archive carries, or the IDs of unnamed images.
            var lines = names.Count > 0 ? names.Select(n => "Loaded image: " + n) : images.Select(i => "Loaded image ID: " + i.Id);
            foreach (var line in lines)
            {
                await progress(new JsonMessage { Stream = line + "\n" }).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }

    private async Task PruneImagesAsync(HttpContext ctx)
    {
        var filters = Filters.Parse(Q(ctx, "filters"));
        filters.Validate("dangling", "label", "label!", "until");
        var danglingOnly = filters.Get("dangling") is not { Count: > 0 } d || d[0] is "true" or "1";
        var until = ParseTime(filters.Get("until")?.FirstOrDefault());
        var used = _engine.Containers.ImageUsers().Select(u => u.ImageId).ToHashSet(StringComparer.Ordinal);
        var deleted = new List<ImageDeleteResponseItem>();
        long reclaimed = 0;
        foreach (var i in await _engine.Images.Store.ListAsync(ctx.RequestAborted).ConfigureAwait(false))
        {
            if (used.Contains(i.Id.ToString()) || (danglingOnly && i.RepoTags.Count > 0) || !filters.MatchLabels(i.Config.Config?.Labels)
                || (until is { } u && (i.Config.Created ?? i.Added) >= u))
            {
                continue;
            }
            var size = (await ImageStore.LayerSizesAsync(i, _engine.Images.Snapshots, ctx.RequestAborted).ConfigureAwait(false)).Sum();
            var items = await Images(() => _engine.Images.Store.RemoveAsync(i.Id.ToString(), force: true, _ => [], ctx.RequestAborted), i.Id.ToString()).ConfigureAwait(false);
            deleted.AddRange(items.Select(x => new ImageDeleteResponseItem { Untagged = x.Untagged, Deleted = x.Deleted }));
            reclaimed += size;
        }
        await _engine.Images.CollectGarbageAsync().ConfigureAwait(false);
        await ctx.Response.WriteJsonAsync(new ImagePruneResponse { ImagesDeleted = deleted, SpaceReclaimed = reclaimed }, ApiJsonContext.Default.ImagePruneResponse, ctx.RequestAborted).ConfigureAwait(false);
    }
}
