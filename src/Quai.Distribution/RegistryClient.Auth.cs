using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Quai.Distribution.Auth;

namespace Quai.Distribution;

public sealed partial class RegistryClient
{
    private readonly ConcurrentDictionary<string, AuthChallenge> _challenges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Expires)> _tokens = new(StringComparer.Ordinal);

    private void RememberChallenge(RegistryEndpoint endpoint, AuthChallenge challenge) => _challenges[endpoint.BaseUri.Authority] = challenge;

    /// <summary>
    /// The Authorization header for <paramref name="scope"/> at an endpoint whose challenge is known:
    /// Basic from the credentials, or a Bearer token from the cache or the token server. Null when
    /// no challenge has been seen yet (the first request goes anonymous, as docker's does).
    /// </summary>
    private async Task<AuthenticationHeaderValue?> AuthorizationForAsync(RegistryEndpoint endpoint, string? scope, CancellationToken cancellationToken, bool forceRefresh = false)
    {
        if (!_challenges.TryGetValue(endpoint.BaseUri.Authority, out var challenge))
        {
            return null;
        }
        var credentials = await Credentials.GetAsync(endpoint.Domain, cancellationToken).ConfigureAwait(false);
        if (challenge.IsBasic)
        {
            return credentials is null ? null : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials.Username + ":" + credentials.Password)));
        }
        var realm = challenge["realm"] ?? throw new DistributionException(DistributionErrorKind.InvalidResponse, $"{endpoint.BaseUri}: Bearer challenge without a realm");
        var service = challenge["service"];
        var key = $"{realm}|{service}|{scope}|{credentials?.Username}";
        if (!forceRefresh && _tokens.TryGetValue(key, out var cached) && cached.Expires > DateTimeOffset.UtcNow)
        {
            return new AuthenticationHeaderValue("Bearer", cached.Token);
        }
        var (token, lifetime) = await FetchTokenAsync(endpoint, realm, service, scope, credentials, cancellationToken).ConfigureAwait(false);
        // Renew a little early so a token does not expire between check and use.
        _tokens[key] = (token, DateTimeOffset.UtcNow + lifetime - TimeSpan.FromSeconds(Math.Min(10, lifetime.TotalSeconds / 2)));
        return new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>Adds the challenge's own scope (e.g. a mount's source repository) to ours.</summary>
    private static string? MergeScope(string? ours, string? theirs)
    {
        if (theirs is null)
        {
            return ours;
        }
        if (ours is null)
        {
            return theirs;
        }
        var parts = ours.Split(' ').Concat(theirs.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal);
        return string.Join(' ', parts);
    }

    /// <summary>
    /// Gets a token (token.md#requesting-a-token: GET realm?service=&amp;scope= with Basic
    /// credentials; oauth.md: POST form with a password or refresh-token grant).
    /// </summary>
    private async Task<(string Token, TimeSpan Lifetime)> FetchTokenAsync(RegistryEndpoint endpoint, string realm, string? service, string? scope, RegistryCredentials? credentials, CancellationToken cancellationToken)
    {
        var usePost = credentials is not null && (credentials.IdentityToken is not null || Options.PreferOAuthTokenPost);
        HttpRequestMessage request;
        var scopes = scope?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (usePost)
        {
            var form = new List<KeyValuePair<string, string>>
            {
                new("client_id", "quai"),
                new("service", service ?? ""),
            };
            if (scopes.Length > 0)
            {
                form.Add(new("scope", string.Join(' ', scopes)));
            }
            if (credentials!.IdentityToken is { } refresh)
            {
                form.Add(new("grant_type", "refresh_token"));
                form.Add(new("refresh_token", refresh));
            }
            else
            {
                form.Add(new("grant_type", "password"));
                form.Add(new("username", credentials.Username));
                form.Add(new("password", credentials.Password));
            }
            request = new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
        }
        else
        {
            var query = new StringBuilder();
            if (service is not null)
            {
                query.Append("service=").Append(Uri.EscapeDataString(service));
            }
            foreach (var s in scopes)
            {
                query.Append(query.Length > 0 ? "&" : "").Append("scope=").Append(Uri.EscapeDataString(s));
            }
            var uri = new UriBuilder(realm);
            uri.Query = string.IsNullOrEmpty(uri.Query) || uri.Query == "?" ? query.ToString() : uri.Query.TrimStart('?') + "&" + query;
            request = new HttpRequestMessage(HttpMethod.Get, uri.Uri);
            if (credentials is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials.Username + ":" + credentials.Password)));
            }
        }
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseContentRead, endpoint, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            var who = credentials is null ? "anonymous access was refused: log in first" : $"incorrect username or password for user \"{credentials.Username}\"";
            throw await ErrorAsync(response, $"unauthorized: {endpoint.Domain}: {who} (token server {realm})", cancellationToken).ConfigureAwait(false);
        }
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(response, $"{endpoint.Domain}: token server {realm} failed", cancellationToken).ConfigureAwait(false);
        }
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var token = (root.TryGetProperty("token", out var t) ? t.GetString() : null)
                ?? (root.TryGetProperty("access_token", out var at) ? at.GetString() : null)
                ?? throw new DistributionException(DistributionErrorKind.InvalidResponse, $"token server {realm} answered without a token");
            // token.md: expires_in defaults to 60 seconds.
            var seconds = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var s) && s > 0 ? s : 60;
            return (token, TimeSpan.FromSeconds(seconds));
        }
        catch (JsonException ex)
        {
            throw new DistributionException(DistributionErrorKind.InvalidResponse, $"token server {realm} answered invalid JSON: {ex.Message}", null, null, ex);
        }
    }
}
