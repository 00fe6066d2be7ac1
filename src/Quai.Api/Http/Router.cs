namespace Quai.Api.Http;

/// <summary>
/// The API's route table: (method, template) → handler, behind dockerd's version middleware. An
/// optional <c>/v{major}.{minor}</c> prefix is stripped into <see cref="HttpRequest.ApiVersion"/>
/// and checked against the supported range; unknown paths get 404 <c>{"message":"page not found"}</c>,
/// a known path with another method 405. Routes are tried in the order they were added (gorilla/mux).
/// </summary>
public sealed class Router
{
    private readonly List<Route> _routes = [];

    /// <summary>Creates a router that accepts API versions from <paramref name="minVersion"/> to <paramref name="maxVersion"/>.</summary>
    public Router(ApiVersion? minVersion = null, ApiVersion? maxVersion = null)
    {
        MinVersion = minVersion ?? DefaultMinVersion;
        MaxVersion = maxVersion ?? DefaultMaxVersion;
    }

    /// <summary>The oldest API version dockerd 28 still serves.</summary>
    public static ApiVersion DefaultMinVersion { get; } = new(1, 24);

    /// <summary>The newest API version served (the swagger in shared/reference).</summary>
    public static ApiVersion DefaultMaxVersion { get; } = new(1, 50);

    /// <summary>The oldest accepted version.</summary>
    public ApiVersion MinVersion { get; }

    /// <summary>The newest accepted version.</summary>
    public ApiVersion MaxVersion { get; }

    /// <summary>Adds a route; returns the router for chaining.</summary>
    public Router Map(string method, string template, Func<HttpContext, Task> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(handler);
        _routes.Add(new Route(method, new RouteTemplate(template), handler));
        return this;
    }

    /// <summary>Adds a GET route (HEAD is served by it too, without the body).</summary>
    public Router MapGet(string template, Func<HttpContext, Task> handler) => Map("GET", template, handler);

    /// <summary>Adds a HEAD route.</summary>
    public Router MapHead(string template, Func<HttpContext, Task> handler) => Map("HEAD", template, handler);

    /// <summary>Adds a POST route.</summary>
    public Router MapPost(string template, Func<HttpContext, Task> handler) => Map("POST", template, handler);

    /// <summary>Adds a PUT route.</summary>
    public Router MapPut(string template, Func<HttpContext, Task> handler) => Map("PUT", template, handler);

    /// <summary>Adds a DELETE route.</summary>
    public Router MapDelete(string template, Func<HttpContext, Task> handler) => Map("DELETE", template, handler);

    /// <summary>Dispatches a request (use as the <see cref="HttpServer"/> handler). Handler exceptions propagate to the server, which maps them.</summary>
    public Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.RawPath;
        if (TryStripVersion(ref path, out var versionText))
        {
            if (!ApiVersion.TryParse(versionText, out var version))
            {
                throw new ApiException(ErrorKind.InvalidArgument, $"invalid API version \"{versionText}\" in the path: expected /v{{major}}.{{minor}}, e.g. /v{MaxVersion}");
            }
            if (version.Value > MaxVersion)
            {
                throw new ApiException(ErrorKind.InvalidArgument, $"client version {version} is too new. Maximum supported API version is {MaxVersion}");
            }
            if (version.Value < MinVersion)
            {
                throw new ApiException(ErrorKind.InvalidArgument, $"client version {version} is too old. Minimum supported API version is {MinVersion}, please upgrade your client to a newer version");
            }
            request.ApiVersion = version;
        }
        var match = Find(request.Method, path, out var allowed);
        if (match is not { } found)
        {
            if (allowed.Count > 0)
            {
                context.Response.Headers["Allow"] = string.Join(", ", allowed);
                return context.Response.WriteErrorAsync(405, $"method {request.Method} is not allowed on {request.Path}: use {string.Join(" or ", allowed)}", context.RequestAborted);
            }
            return context.Response.WriteErrorAsync(404, "page not found", context.RequestAborted);
        }
        request.RouteValues = found.Values;
        return found.Route.Handler(context);
    }

    private (Route Route, Dictionary<string, string> Values)? Find(string method, string path, out List<string> allowed)
    {
        allowed = [];
        if (!path.StartsWith('/'))
        {
            return null;
        }
        var segments = path[1..].Split('/');
        (Route, Dictionary<string, string>)? headFallback = null;
        foreach (var route in _routes)
        {
            var values = route.Template.Match(segments);
            if (values is null)
            {
                continue;
            }
            if (route.Method == method)
            {
                return (route, values);
            }
            if (method == "HEAD" && route.Method == "GET")
            {
                // RFC 9110 §9.3.2: HEAD is GET without the body; the response drops the body itself.
                headFallback ??= (route, values);
            }
            if (!allowed.Contains(route.Method))
            {
                allowed.Add(route.Method);
            }
        }
        return headFallback;
    }

    // "/v1.41/containers/json" → "/containers/json", "1.41" (dockerd's "/v{version:[0-9.]+}" prefix).
    private static bool TryStripVersion(ref string path, out string version)
    {
        version = "";
        if (path.Length < 3 || path[1] != 'v' || !char.IsAsciiDigit(path[2]))
        {
            return false;
        }
        var end = 2;
        while (end < path.Length && (char.IsAsciiDigit(path[end]) || path[end] == '.'))
        {
            end++;
        }
        if (end < path.Length && path[end] != '/')
        {
            return false;
        }
        version = path[2..end];
        path = end < path.Length ? path[end..] : "/";
        return true;
    }

    private sealed record Route(string Method, RouteTemplate Template, Func<HttpContext, Task> Handler);
}
