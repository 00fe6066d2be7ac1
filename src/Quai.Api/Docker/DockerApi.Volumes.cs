using Quai.Api.Http;
using Quai.Api.Models;
using Quai.Engine;

namespace Quai.Api.Docker;

public sealed partial class DockerApi
{
    private void MapVolumes(Router r)
    {
        r.MapGet("/volumes", ctx =>
        {
            var list = _engine.Volumes.List(Filters.Parse(Q(ctx, "filters")));
            return ctx.Response.WriteJsonAsync(new VolumeListResponse { Volumes = [.. list], Warnings = [] }, ApiJsonContext.Default.VolumeListResponse, ctx.RequestAborted);
        });
        r.MapPost("/volumes/create", async ctx =>
        {
            var options = await ReadJsonAsync(ctx, ApiJsonContext.Default.VolumeCreateOptions).ConfigureAwait(false) ?? new VolumeCreateOptions();
            var volume = _engine.Volumes.Create(options.Name, options.Driver, options.Labels, options.DriverOpts);
            ctx.Response.StatusCode = 201;
            await ctx.Response.WriteJsonAsync(volume, ApiJsonContext.Default.Volume, ctx.RequestAborted).ConfigureAwait(false);
        });
        r.MapPost("/volumes/prune", ctx =>
        {
            var filters = Filters.Parse(Q(ctx, "filters"));
            // API < 1.42 pruned every unused volume; 1.42 made anonymous-only the default (all=true for the old behaviour).
            if (ctx.Request.ApiVersion is { } v && v < new ApiVersion(1, 42) && filters.Get("all") is null)
            {
                filters.Add("all", "true");
            }
            return ctx.Response.WriteJsonAsync(_engine.Volumes.Prune(filters), ApiJsonContext.Default.VolumePruneResponse, ctx.RequestAborted);
        });
        r.MapGet("/volumes/{name}", ctx => ctx.Response.WriteJsonAsync(_engine.Volumes.Inspect(Id(ctx, "name")), ApiJsonContext.Default.Volume, ctx.RequestAborted));
        r.MapDelete("/volumes/{name}", ctx =>
        {
            _engine.Volumes.Remove(Id(ctx, "name"), QBool(ctx, "force"));
            return NoContentAsync(ctx);
        });
    }
}
