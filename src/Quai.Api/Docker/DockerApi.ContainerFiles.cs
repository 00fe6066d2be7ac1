using System.Text.Json;
using Quai.Api.Http;
using Quai.Api.Models;
using Quai.Engine;
using Quai.Engine.Images;

namespace Quai.Api.Docker;

public sealed partial class DockerApi
{
    private async Task TopAsync(HttpContext ctx)
    {
        var top = await _engine.Containers.TopAsync(Id(ctx), Q(ctx, "ps_args"), ctx.RequestAborted).ConfigureAwait(false);
        await ctx.Response.WriteJsonAsync(top, ApiJsonContext.Default.ContainerTopResponse, ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>GET /containers/{id}/stats: one sample (stream=false, or one-shot) or one per second.</summary>
    private async Task StatsAsync(HttpContext ctx)
    {
        var id = Id(ctx);
        var stream = QBool(ctx, "stream", true);
        var oneShot = QBool(ctx, "one-shot");
        var first = _engine.Containers.Stats(id, null);
        if (!stream)
        {
            if (!oneShot && first.Read != "0001-01-01T00:00:00Z")
            {
                // docker reads twice, a second apart, so that precpu_stats gives a CPU percentage.
                await Task.Delay(1000, ctx.RequestAborted).ConfigureAwait(false);
                first = _engine.Containers.Stats(id, first);
            }
            await ctx.Response.WriteJsonAsync(first, ApiJsonContext.Default.ContainerStatsResponse, ctx.RequestAborted).ConfigureAwait(false);
            return;
        }
        ctx.Response.Headers["Content-Type"] = "application/json";
        await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
        var previous = first;
        try
        {
            while (!ctx.RequestAborted.IsCancellationRequested)
            {
                await ctx.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(previous, ApiJsonContext.Default.ContainerStatsResponse), ctx.RequestAborted).ConfigureAwait(false);
                await ctx.Response.Body.WriteAsync("\n"u8.ToArray(), ctx.RequestAborted).ConfigureAwait(false);
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
                await Task.Delay(1000, ctx.RequestAborted).ConfigureAwait(false);
                previous = _engine.Containers.Stats(id, previous);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or EngineException)
        {
        }
    }

    private async Task ChangesAsync(HttpContext ctx)
    {
        var changes = await _engine.Containers.ChangesAsync(Id(ctx), ctx.RequestAborted).ConfigureAwait(false);
        await ctx.Response.WriteJsonAsync(changes, ApiJsonContext.Default.ListFilesystemChange, ctx.RequestAborted).ConfigureAwait(false);
    }

    private async Task ExportAsync(HttpContext ctx)
    {
        var c = _engine.Containers.Get(Id(ctx));
        ctx.Response.Headers["Content-Type"] = "application/x-tar";
        await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
        await _engine.Containers.ExportAsync(c.Id, ctx.Response.Body, ctx.RequestAborted).ConfigureAwait(false);
        _engine.Events.Publish("container", "export", c.Id, new Dictionary<string, string> { ["name"] = c.Name });
    }

    private static string RequirePath(HttpContext ctx) =>
        Q(ctx, "path") is { Length: > 0 } p ? p : throw new EngineException(EngineErrorKind.InvalidArgument, "the path query parameter is required: the path in the container");

    /// <summary>The X-Docker-Container-Path-Stat header: base64 of {"name","size","mode","mtime","linkTarget"}.</summary>
    private async Task WritePathStatAsync(HttpContext ctx, string id, string path)
    {
        var (name, size, mode, mtime, link) = await _engine.Containers.StatPathAsync(id, path, ctx.RequestAborted).ConfigureAwait(false);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteNumber("size", size);
            w.WriteNumber("mode", mode);
            w.WriteString("mtime", Engine.Containers.ContainerService.Rfc3339(mtime));
            w.WriteString("linkTarget", link);
            w.WriteEndObject();
        }
        ctx.Response.Headers["X-Docker-Container-Path-Stat"] = Convert.ToBase64String(buffer.WrittenSpan);
    }

    private async Task StatArchiveAsync(HttpContext ctx)
    {
        await WritePathStatAsync(ctx, Id(ctx), RequirePath(ctx)).ConfigureAwait(false);
        ctx.Response.ContentLength = 0;
        await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
    }

    private async Task GetArchiveAsync(HttpContext ctx)
    {
        var id = Id(ctx);
        var path = RequirePath(ctx);
        await WritePathStatAsync(ctx, id, path).ConfigureAwait(false);
        ctx.Response.Headers["Content-Type"] = "application/x-tar";
        await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
        await _engine.Containers.GetArchiveAsync(id, path, ctx.Response.Body, ctx.RequestAborted).ConfigureAwait(false);
    }

    private async Task PutArchiveAsync(HttpContext ctx)
    {
        await _engine.Containers.PutArchiveAsync(Id(ctx), RequirePath(ctx), ctx.Request.Body, ctx.RequestAborted).ConfigureAwait(false);
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentLength = 0;
        await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
    }

    private async Task UpdateAsync(HttpContext ctx)
    {
        var update = await ReadJsonAsync(ctx, ApiJsonContext.Default.ContainerUpdateRequest).ConfigureAwait(false) ?? new ContainerUpdateRequest();
        var response = await _engine.Containers.UpdateAsync(Id(ctx), update, ctx.RequestAborted).ConfigureAwait(false);
        await ctx.Response.WriteJsonAsync(response, ApiJsonContext.Default.ContainerUpdateResponse, ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>POST /commit?container=…&amp;repo=…&amp;tag=…: pauses a running container while its layer is read (pause=true by default).</summary>
    private async Task CommitAsync(HttpContext ctx)
    {
        var container = Q(ctx, "container") ?? throw new EngineException(EngineErrorKind.InvalidArgument, "the container query parameter is required");
        var overrides = await ReadJsonAsync(ctx, ApiJsonContext.Default.ContainerConfig).ConfigureAwait(false);
        var (upper, c) = await _engine.Containers.CommitSourceAsync(container, ctx.RequestAborted).ConfigureAwait(false);
        var repo = Q(ctx, "repo");
        var tag = Q(ctx, "tag");
        var reference = string.IsNullOrEmpty(repo) ? null : string.IsNullOrEmpty(tag) ? repo : repo + ":" + tag;
        var pause = QBool(ctx, "pause", true) && c.State.Status == "running";
        if (pause)
        {
            await _engine.Containers.PauseAsync(c.Id, ctx.RequestAborted).ConfigureAwait(false);
        }
        try
        {
            var parent = await _engine.Images.Store.ResolveAsync(c.Image, ctx.RequestAborted).ConfigureAwait(false);
            var config = overrides is { Cmd: not null } or { Entrypoint: not null } or { Env: not null } ? overrides : c.Config;
            var image = await ImageCommitter.CommitAsync(_engine.Images, parent, c.Id, config, upper, reference, Q(ctx, "comment"), Q(ctx, "author"), ctx.Request.Query.GetValues("changes"), ctx.RequestAborted).ConfigureAwait(false);
            _engine.Events.Publish("container", "commit", c.Id, new Dictionary<string, string> { ["name"] = c.Name, ["imageID"] = image.Id.ToString() });
            ctx.Response.StatusCode = 201;
            await ctx.Response.WriteJsonAsync(new IDResponse { Id = image.Id.ToString() }, ApiJsonContext.Default.IDResponse, ctx.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            if (pause)
            {
                await _engine.Containers.UnpauseAsync(c.Id, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
