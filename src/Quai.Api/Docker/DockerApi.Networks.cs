using Quai.Api.Http;
using Quai.Api.Models;
using Quai.Engine;

namespace Quai.Api.Docker;

public sealed partial class DockerApi
{
    private void MapNetworks(Router r)
    {
        r.MapGet("/networks", ctx => ctx.Response.WriteJsonAsync(_engine.Networks.List(Filters.Parse(Q(ctx, "filters"))), ApiJsonContext.Default.ListNetwork, ctx.RequestAborted));
        r.MapGet("/networks/{id}", ctx =>
        {
            var n = _engine.Networks.Get(Id(ctx));
            return ctx.Response.WriteJsonAsync(_engine.Networks.ToApi(n), ApiJsonContext.Default.Network, ctx.RequestAborted);
        });
        r.MapPost("/networks/create", async ctx =>
        {
            var request = await ReadJsonAsync(ctx, ApiJsonContext.Default.NetworkCreateRequest).ConfigureAwait(false)
                ?? throw new EngineException(EngineErrorKind.InvalidArgument, "network create needs a JSON body with a Name");
            var n = await _engine.Networks.CreateAsync(request, ctx.RequestAborted).ConfigureAwait(false);
            ctx.Response.StatusCode = 201;
            await ctx.Response.WriteJsonAsync(new NetworkCreateResponse { Id = n.Id, Warning = "" }, ApiJsonContext.Default.NetworkCreateResponse, ctx.RequestAborted).ConfigureAwait(false);
        });
        r.MapDelete("/networks/{id}", async ctx =>
        {
            await _engine.Networks.RemoveAsync(Id(ctx), ctx.RequestAborted).ConfigureAwait(false);
            await NoContentAsync(ctx).ConfigureAwait(false);
        });
        r.MapPost("/networks/{id}/connect", async ctx =>
        {
            var body = await ReadJsonAsync(ctx, ApiJsonContext.Default.NetworkConnectRequest).ConfigureAwait(false)
                ?? throw new EngineException(EngineErrorKind.InvalidArgument, "network connect needs a JSON body with a Container");
            await _engine.Containers.ConnectNetworkAsync(Id(ctx), body.Container ?? "", body.EndpointConfig, ctx.RequestAborted).ConfigureAwait(false);
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentLength = 0;
            await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
        });
        r.MapPost("/networks/{id}/disconnect", async ctx =>
        {
            var body = await ReadJsonAsync(ctx, ApiJsonContext.Default.NetworkDisconnectRequest).ConfigureAwait(false)
                ?? throw new EngineException(EngineErrorKind.InvalidArgument, "network disconnect needs a JSON body with a Container");
            await _engine.Containers.DisconnectNetworkAsync(Id(ctx), body.Container ?? "", ctx.RequestAborted).ConfigureAwait(false);
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentLength = 0;
            await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
        });
        r.MapPost("/networks/prune", async ctx =>
        {
            var deleted = await _engine.Networks.PruneAsync(Filters.Parse(Q(ctx, "filters")), ctx.RequestAborted).ConfigureAwait(false);
            await ctx.Response.WriteJsonAsync(new NetworkPruneResponse { NetworksDeleted = deleted }, ApiJsonContext.Default.NetworkPruneResponse, ctx.RequestAborted).ConfigureAwait(false);
        });
    }
}
