using Quai.Api.Http;
using Quai.Engine;

namespace Quai.Api.Docker;

/// <summary>
/// The Docker Engine API (v1.24–1.50) over the engine: one route table (moby's
/// daemon/server/router), docker's common response headers, and the single mapping of engine
/// failures to HTTP statuses.
/// </summary>
public sealed partial class DockerApi
{
    /// <summary>The highest API version served.</summary>
    public const string MaxApiVersion = "1.50";

    private readonly Engine.Engine _engine;
    private readonly Router _router;

    /// <summary>Builds the route table over <paramref name="engine"/>.</summary>
    public DockerApi(Engine.Engine engine, DaemonInfo daemon)
    {
        _engine = engine;
        Daemon = daemon;
        _router = new Router();
        MapSystem(_router);
        MapContainers(_router);
        MapExec(_router);
        MapImages(_router);
        MapVolumes(_router);
        MapNetworks(_router);
    }

    /// <summary>Facts about the daemon process (for /info and /version).</summary>
    public DaemonInfo Daemon { get; }

    /// <summary>The server's request handler.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var h = context.Response.Headers;
        h["Api-Version"] = MaxApiVersion;
        h["Ostype"] = "linux";
        h["Docker-Experimental"] = "false";
        try
        {
            await _router.HandleAsync(context).ConfigureAwait(false);
        }
        catch (EngineException e)
        {
            throw new ApiException(Map(e.Kind), e.Message, e);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ApiException(ErrorKind.InvalidArgument, "invalid JSON in the request body: " + e.Message, e);
        }
    }

    /// <summary>moby errdefs → HTTP, in one place (daemon/server/httpstatus).</summary>
    internal static ErrorKind Map(EngineErrorKind kind) => kind switch
    {
        EngineErrorKind.NotFound => ErrorKind.NotFound,
        EngineErrorKind.Conflict => ErrorKind.Conflict,
        EngineErrorKind.InvalidArgument => ErrorKind.InvalidArgument,
        EngineErrorKind.Unauthorized => ErrorKind.Unauthorized,
        EngineErrorKind.Forbidden => ErrorKind.Forbidden,
        EngineErrorKind.Unavailable => ErrorKind.Unavailable,
        EngineErrorKind.NotModified => ErrorKind.NotModified,
        _ => ErrorKind.Internal,
    };

    private static string Id(HttpContext ctx, string name = "id") => ctx.Request.RouteValue(name);

    private static string? Q(HttpContext ctx, string key) => ctx.Request.Query[key];

    private static bool QBool(HttpContext ctx, string key, bool defaultValue = false) => ctx.Request.Query.GetBool(key, defaultValue);

    private static int? QInt(HttpContext ctx, string key) =>
        int.TryParse(ctx.Request.Query[key], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : null;

    private static async Task<T?> ReadJsonAsync<T>(HttpContext ctx, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var body = ctx.Request.Body;
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, ctx.RequestAborted).ConfigureAwait(false);
        if (buffer.Length == 0)
        {
            return default;
        }
        buffer.Position = 0;
        return await System.Text.Json.JsonSerializer.DeserializeAsync(buffer, type, ctx.RequestAborted).ConfigureAwait(false);
    }

    private static Task NoContentAsync(HttpContext ctx)
    {
        ctx.Response.StatusCode = 204;
        return ctx.Response.StartAsync(ctx.RequestAborted);
    }

    private static async Task NotModifiedOrAsync(HttpContext ctx, Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
            ctx.Response.StatusCode = 204;
        }
        catch (EngineException e) when (e.Kind == EngineErrorKind.NotModified)
        {
            ctx.Response.StatusCode = 304;
        }
        await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
    }
}
