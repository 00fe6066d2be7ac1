using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Quai.Images;
using Quai.Registry.Auth;
using Quai.Registry.Storage;

namespace Quai.Registry.Http;

/// <summary>
/// The distribution API (distribution-spec v1.1 spec.md#endpoints) as one request handler: a route
/// table of regular expressions over the path (repository names contain slashes, so the suffix
/// decides the route), authentication, the handlers, and the one place exceptions become the
/// spec's JSON errors.
/// </summary>
public sealed partial class RegistryHandler
{
    private readonly RegistryOptions _options;
    private readonly RepositoryStore _store;
    private readonly Htpasswd? _users;
    private readonly TokenService? _tokens;
    private readonly TextWriter _log;
    private readonly Lock _logLock = new();

    public RegistryHandler(RegistryOptions options, RepositoryStore store)
    {
        _options = options;
        _store = store;
        _users = options.HtpasswdPath is null ? null : Htpasswd.Load(options.HtpasswdPath);
        if (options.TokenAuth)
        {
            if (_users is null)
            {
                throw new ArgumentException("token auth needs an htpasswd file of users", nameof(options));
            }
            _tokens = new TokenService(options.Service, options.TokenLifetime);
        }
        _log = options.RequestLog ?? Console.Out;
    }

    private delegate Task RouteHandler(HttpContext context, Match match);

    private sealed record Route(Regex Pattern, string[] Methods, string Action, RouteHandler Handler);

    private Route[] Routes => _routes ??= BuildRoutes();

    private Route[]? _routes;

    private Route[] BuildRoutes() =>
    [
        new(BaseRegex(), ["GET", "HEAD"], "", (c, _) => Task.CompletedTask),
        new(CatalogRegex(), ["GET"], "catalog", (c, _) => CatalogAsync(c)),
        new(TagsRegex(), ["GET"], "pull", (c, m) => TagsAsync(c, m.Groups["name"].Value)),
        new(ManifestRegex(), ["GET", "HEAD", "PUT", "DELETE"], "", (c, m) => ManifestAsync(c, m.Groups["name"].Value, m.Groups["reference"].Value)),
        new(UploadStartRegex(), ["POST"], "push", (c, m) => StartUploadAsync(c, m.Groups["name"].Value)),
        new(UploadRegex(), ["GET", "PATCH", "PUT", "DELETE"], "push", (c, m) => UploadAsync(c, m.Groups["name"].Value, m.Groups["id"].Value)),
        new(BlobRegex(), ["GET", "HEAD", "DELETE"], "", (c, m) => BlobAsync(c, m.Groups["name"].Value, m.Groups["digest"].Value)),
        new(ReferrersRegex(), ["GET"], "pull", (c, m) => ReferrersAsync(c, m.Groups["name"].Value, m.Groups["digest"].Value)),
    ];

    /// <summary>Serves one request and writes its log line.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var response = context.Response;
        response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
        try
        {
            await DispatchAsync(context).ConfigureAwait(false);
        }
        catch (RegistryException e)
        {
            await WriteErrorAsync(context, e).ConfigureAwait(false);
        }
        catch (ImageException e) when (e.Kind == ImageErrorKind.NotFound)
        {
            await WriteErrorAsync(context, new RegistryException(RegistryError.BlobUnknown, e.Message)).ConfigureAwait(false);
        }
        catch (ImageException e) when (e.Kind == ImageErrorKind.FailedPrecondition)
        {
            await WriteErrorAsync(context, new RegistryException(RegistryError.DigestInvalid, e.Message)).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            var code = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? RegistryError.SizeInvalid : RegistryError.Unsupported;
            await WriteErrorAsync(context, new RegistryException(code, e.Message, null, (HttpStatusCode)e.StatusCode)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ImageException or InvalidOperationException)
        {
            // Storage failures: the spec has no code for them; docker's registry answers UNKNOWN with 500.
            await WriteErrorAsync(context, new RegistryException("UNKNOWN", $"storage error: {e.Message}", null, HttpStatusCode.InternalServerError)).ConfigureAwait(false);
        }
        finally
        {
            WriteLogLine(context, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task DispatchAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var method = context.Request.Method;
        if (path == "/token" && _tokens is not null)
        {
            await TokenAsync(context).ConfigureAwait(false);
            return;
        }
        foreach (var route in Routes)
        {
            var match = route.Pattern.Match(path);
            if (!match.Success)
            {
                continue;
            }
            if (!route.Methods.Contains(method))
            {
                throw new RegistryException(RegistryError.Unsupported, $"{method} is not supported on {path}", null, HttpStatusCode.MethodNotAllowed);
            }
            var name = match.Groups["name"].Success ? match.Groups["name"].Value : null;
            if (name is not null)
            {
                RepositoryStore.CheckName(name);
            }
            var action = route.Action.Length > 0 ? route.Action : method is "GET" or "HEAD" ? "pull" : method == "DELETE" ? "delete" : "push";
            Authorize(context, name, action);
            await route.Handler(context, match).ConfigureAwait(false);
            return;
        }
        throw new RegistryException(RegistryError.Unsupported, $"no distribution API endpoint at {path}", null, HttpStatusCode.NotFound);
    }

    /// <summary>Writes {"errors":[{code,message,detail}]} with the code's status (spec.md#error-codes).</summary>
    private static async Task WriteErrorAsync(HttpContext context, RegistryException e)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return;
        }
        response.StatusCode = (int)e.Status;
        if (e.Status == HttpStatusCode.RequestedRangeNotSatisfiable && e.Detail is not null)
        {
            response.Headers.Range = e.Detail;
        }
        var body = ErrorBody(e.Code, e.Message, e.Detail);
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static byte[] ErrorBody(string code, string message, string? detail)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("errors");
            w.WriteStartObject();
            w.WriteString("code", code);
            w.WriteString("message", message);
            if (detail is not null)
            {
                w.WriteString("detail", detail);
            }
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>One JSON line per request: method, path, status, bytes, duration, remote address.</summary>
    private void WriteLogLine(HttpContext context, TimeSpan elapsed)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("time", DateTimeOffset.UtcNow);
            w.WriteString("method", context.Request.Method);
            w.WriteString("path", context.Request.Path.Value);
            w.WriteNumber("status", context.Response.StatusCode);
            w.WriteNumber("bytes", context.Response.ContentLength ?? 0);
            w.WriteNumber("duration_ms", Math.Round(elapsed.TotalMilliseconds, 3));
            w.WriteString("remote", context.Connection.RemoteIpAddress?.ToString());
            w.WriteEndObject();
        }
        var line = Encoding.UTF8.GetString(buffer.ToArray());
        lock (_logLock)
        {
            _log.WriteLine(line);
            _log.Flush();
        }
    }

    private const string Name = "(?<name>.+?)";

    [GeneratedRegex("^/v2/?$")]
    private static partial Regex BaseRegex();

    [GeneratedRegex("^/v2/_catalog$")]
    private static partial Regex CatalogRegex();

    [GeneratedRegex("^/v2/" + Name + "/tags/list$")]
    private static partial Regex TagsRegex();

    [GeneratedRegex("^/v2/" + Name + "/manifests/(?<reference>[^/]+)$")]
    private static partial Regex ManifestRegex();

    [GeneratedRegex("^/v2/" + Name + "/blobs/uploads/?$")]
    private static partial Regex UploadStartRegex();

    [GeneratedRegex("^/v2/" + Name + "/blobs/uploads/(?<id>[^/]+)$")]
    private static partial Regex UploadRegex();

    [GeneratedRegex("^/v2/" + Name + "/blobs/(?<digest>[^/]+)$")]
    private static partial Regex BlobRegex();

    [GeneratedRegex("^/v2/" + Name + "/referrers/(?<digest>[^/]+)$")]
    private static partial Regex ReferrersRegex();
}
