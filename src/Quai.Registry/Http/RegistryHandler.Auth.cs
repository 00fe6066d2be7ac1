using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Quai.Registry.Auth;

namespace Quai.Registry.Http;

public sealed partial class RegistryHandler
{
    /// <summary>
    /// Checks the request's credentials for <paramref name="action"/> on repository
    /// <paramref name="name"/> (or the catalog, or the base endpoint when name is null). On failure
    /// sets the challenge a client needs (token.md#how-to-authenticate) and throws UNAUTHORIZED.
    /// </summary>
    private void Authorize(HttpContext context, string? name, string action)
    {
        if (_users is null)
        {
            return;
        }
        var header = context.Request.Headers.Authorization.ToString();
        var (type, resource) = action == "catalog" ? ("registry", "catalog") : ("repository", name);
        var actions = action == "catalog" ? "*" : action == "pull" ? "pull" : action == "delete" ? "delete" : "pull,push";
        if (_tokens is null)
        {
            if (TryBasic(header, out var user, out var password) && _users.Verify(user, password))
            {
                return;
            }
            context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{_options.Service}\"";
            throw new RegistryException(RegistryError.Unauthorized, "authentication required: log in with a user of the registry's htpasswd file");
        }
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var granted = _tokens.Verify(header["Bearer ".Length..].Trim());
            if (granted is not null && (resource is null || actions.Split(',').All(a => granted.Any(g => g.Grants(type, resource, a == "*" ? "*" : a)))))
            {
                if (MountSource(context, action) is not { } from || granted.Any(g => g.Grants("repository", from, "pull")))
                {
                    return;
                }
            }
        }
        var realm = $"{context.Request.Scheme}://{context.Request.Host}/token";
        var scope = resource is null ? "" : $",scope=\"{type}:{resource}:{actions}\"";
        if (resource is not null && MountSource(context, action) is { } source)
        {
            scope = $",scope=\"{type}:{resource}:{actions} repository:{source}:pull\"";
        }
        context.Response.Headers.WWWAuthenticate = $"Bearer realm=\"{realm}\",service=\"{_options.Service}\"{scope}";
        throw new RegistryException(RegistryError.Unauthorized, "authentication required: get a token from " + realm, resource is null ? null : $"{type}:{resource}:{actions}");
    }

    private static string? MountSource(HttpContext context, string action) =>
        action == "push" && context.Request.Query.TryGetValue("from", out var from) && Storage.RepositoryStore.IsValidName(from.ToString()) ? from.ToString() : null;

    private static bool TryBasic(string header, out string user, out string password)
    {
        user = password = "";
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return false;
            }
            user = decoded[..colon];
            password = decoded[(colon + 1)..];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// The token endpoint (token.md and oauth.md): GET with Basic credentials and service/scope query
    /// parameters, or POST of an OAuth2 password grant form. Every htpasswd user is granted what it
    /// asks for; a wrong password gets 401.
    /// </summary>
    private async Task TokenAsync(HttpContext context)
    {
        string user;
        string password;
        List<string> scopes;
        var request = context.Request;
        if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            if (form["grant_type"] != "password")
            {
                throw new RegistryException(RegistryError.Unsupported, $"grant_type \"{form["grant_type"]}\" is not supported: use \"password\"", null, HttpStatusCode.BadRequest);
            }
            user = form["username"].ToString();
            password = form["password"].ToString();
            scopes = [.. form["scope"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        }
        else if (HttpMethods.IsGet(request.Method))
        {
            if (!TryBasic(request.Headers.Authorization.ToString(), out user, out password))
            {
                context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{_options.Service}\"";
                throw new RegistryException(RegistryError.Unauthorized, "the token endpoint needs Basic credentials of a registry user");
            }
            scopes = [.. request.Query["scope"].SelectMany(s => (s ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))];
        }
        else
        {
            throw new RegistryException(RegistryError.Unsupported, "the token endpoint takes GET or POST", null, HttpStatusCode.MethodNotAllowed);
        }
        if (!_users!.Verify(user, password))
        {
            throw new RegistryException(RegistryError.Unauthorized, $"invalid username or password for user \"{user}\"");
        }
        var access = scopes.Select(AccessEntry.Parse).OfType<AccessEntry>().ToList();
        var token = _tokens!.Issue(user, access);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("token", token);
            w.WriteString("access_token", token);
            w.WriteNumber("expires_in", (long)_options.TokenLifetime.TotalSeconds);
            w.WriteString("issued_at", DateTimeOffset.UtcNow);
            w.WriteEndObject();
        }
        await WriteBytesAsync(context, buffer.ToArray(), "application/json").ConfigureAwait(false);
    }

    private static async Task WriteBytesAsync(HttpContext context, byte[] body, string contentType)
    {
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
