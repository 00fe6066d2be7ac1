using System.Text.Json;
using Quai.Api.Http;
using Quai.Api.Models;
using Quai.Engine;

namespace Quai.Api.Docker;

public sealed partial class DockerApi
{
    private void MapContainers(Router r)
    {
        r.MapPost("/containers/create", CreateContainerAsync);
        r.MapGet("/containers/json", async ctx =>
        {
            var list = await _engine.Containers.ListAsync(QBool(ctx, "all"), QInt(ctx, "limit"), QBool(ctx, "size"), Filters.Parse(Q(ctx, "filters")), ctx.RequestAborted).ConfigureAwait(false);
            await ctx.Response.WriteJsonAsync(list, ApiJsonContext.Default.ListContainerSummary, ctx.RequestAborted).ConfigureAwait(false);
        });
        r.MapGet("/containers/{id}/json", async ctx =>
        {
            var inspect = await _engine.Containers.InspectAsync(Id(ctx), QBool(ctx, "size"), ctx.RequestAborted).ConfigureAwait(false);
            await ctx.Response.WriteJsonAsync(inspect, ApiJsonContext.Default.ContainerInspectResponse, ctx.RequestAborted).ConfigureAwait(false);
        });
        r.MapPost("/containers/{id}/start", ctx => NotModifiedOrAsync(ctx, () => _engine.Containers.StartAsync(Id(ctx), ctx.RequestAborted)));
        r.MapPost("/containers/{id}/stop", ctx => NotModifiedOrAsync(ctx, () => _engine.Containers.StopAsync(Id(ctx), QInt(ctx, "t"), Q(ctx, "signal"), CancellationToken.None)));
        r.MapPost("/containers/{id}/restart", async ctx =>
        {
            await _engine.Containers.RestartAsync(Id(ctx), QInt(ctx, "t"), Q(ctx, "signal"), CancellationToken.None).ConfigureAwait(false);
            await NoContentAsync(ctx).ConfigureAwait(false);
        });
        r.MapPost("/containers/{id}/kill", async ctx =>
        {
            await _engine.Containers.KillAsync(Id(ctx), Q(ctx, "signal"), ctx.RequestAborted).ConfigureAwait(false);
            await NoContentAsync(ctx).ConfigureAwait(false);
        });
        r.MapPost("/containers/{id}/pause", async ctx =>
        {
            await _engine.Containers.PauseAsync(Id(ctx), ctx.RequestAborted).ConfigureAwait(false);
            await NoContentAsync(ctx).ConfigureAwait(false);
        });
        r.MapPost("/containers/{id}/unpause", async ctx =>
        {
            await _engine.Containers.UnpauseAsync(Id(ctx), ctx.RequestAborted).ConfigureAwait(false);
            await NoContentAsync(ctx).ConfigureAwait(false);
        });
        r.MapPost("/containers/{id}/wait", WaitContainerAsync);
        r.MapDelete("/containers/{id}", async ctx =>
        {
            await _engine.Containers.RemoveAsync(Id(ctx), QBool(ctx, "force"), QBool(ctx, "v"), CancellationToken.None).ConfigureAwait(false);
            await NoContentAsync(ctx).ConfigureAwait(false);
        });
        r.MapPost("/containers/{id}/rename", async ctx =>
        {
            _engine.Containers.Rename(Id(ctx), Q(ctx, "name") ?? "");
            await NoContentAsync(ctx).ConfigureAwait(false);
        });
        r.MapPost("/containers/{id}/resize", async ctx =>
        {
            await _engine.Containers.ResizeAsync(Id(ctx), QInt(ctx, "h") ?? 0, QInt(ctx, "w") ?? 0, ctx.RequestAborted).ConfigureAwait(false);
            ctx.Response.Headers["Content-Type"] = "text/plain; charset=utf-8";
            ctx.Response.ContentLength = 0;
            await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
        });
        r.MapGet("/containers/{id}/logs", LogsAsync);
        r.MapPost("/containers/{id}/attach", AttachAsync);
        r.MapGet("/containers/{id}/top", TopAsync);
        r.MapGet("/containers/{id}/stats", StatsAsync);
        r.MapGet("/containers/{id}/changes", ChangesAsync);
        r.MapGet("/containers/{id}/export", ExportAsync);
        r.MapGet("/containers/{id}/archive", GetArchiveAsync);
        r.MapHead("/containers/{id}/archive", StatArchiveAsync);
        r.MapPut("/containers/{id}/archive", PutArchiveAsync);
        r.MapPost("/containers/{id}/update", UpdateAsync);
        r.MapPost("/containers/prune", PruneContainersAsync);
        r.MapPost("/commit", CommitAsync);
    }

    private async Task CreateContainerAsync(HttpContext ctx)
    {
        var request = await ReadJsonAsync(ctx, ApiJsonContext.Default.ContainerCreateRequest).ConfigureAwait(false)
            ?? throw new EngineException(EngineErrorKind.InvalidArgument, "config cannot be empty in order to create a container");
        var response = await _engine.Containers.CreateAsync(Q(ctx, "name"), request, ctx.RequestAborted).ConfigureAwait(false);
        ctx.Response.StatusCode = 201;
        await ctx.Response.WriteJsonAsync(response, ApiJsonContext.Default.ContainerCreateResponse, ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Headers go out at once (the CLI waits for them before starting); the body at exit.</summary>
    private async Task WaitContainerAsync(HttpContext ctx)
    {
        var id = _engine.Containers.Get(Id(ctx)).Id;
        var condition = Q(ctx, "condition");
        if (condition is not (null or "" or "not-running" or "next-exit" or "removed"))
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, $"invalid condition: \"{condition}\"");
        }
        var wait = _engine.Containers.WaitAsync(id, condition, ctx.RequestAborted);
        ctx.Response.Headers["Content-Type"] = "application/json";
        await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
        ContainerWaitResponse result;
        try
        {
            result = new ContainerWaitResponse { StatusCode = await wait.ConfigureAwait(false), Error = null };
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (EngineException e)
        {
            result = new ContainerWaitResponse { StatusCode = -1, Error = new ContainerWaitExitError { Message = e.Message } };
        }
        var bytes = JsonSerializer.SerializeToUtf8Bytes(result, ApiJsonContext.Default.ContainerWaitResponse);
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted).ConfigureAwait(false);
        await ctx.Response.Body.WriteAsync("\n"u8.ToArray(), ctx.RequestAborted).ConfigureAwait(false);
    }

    private async Task PruneContainersAsync(HttpContext ctx)
    {
        var filters = Filters.Parse(Q(ctx, "filters"));
        filters.Validate("until", "label", "label!");
        var until = ParseTime(filters.Get("until")?.FirstOrDefault());
        var deleted = new List<string>();
        long reclaimed = 0;
        foreach (var c in _engine.Containers.All())
        {
            if (c.State.Status is not ("exited" or "created" or "dead") || !filters.MatchLabels(c.Config.Labels) || (until is { } u && c.Created >= u))
            {
                continue;
            }
            var inspect = await _engine.Containers.InspectAsync(c.Id, size: true, ctx.RequestAborted).ConfigureAwait(false);
            try
            {
                await _engine.Containers.RemoveAsync(c.Id, force: false, removeVolumes: false, ctx.RequestAborted).ConfigureAwait(false);
                deleted.Add(c.Id);
                reclaimed += inspect.SizeRw ?? 0;
            }
            catch (EngineException)
            {
                // Started meanwhile.
            }
        }
        await ctx.Response.WriteJsonAsync(new ContainerPruneResponse { ContainersDeleted = deleted, SpaceReclaimed = reclaimed }, ApiJsonContext.Default.ContainerPruneResponse, ctx.RequestAborted).ConfigureAwait(false);
    }
}
