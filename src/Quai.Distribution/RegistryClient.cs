using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Quai.Distribution.Auth;

namespace Quai.Distribution;

/// <summary>
/// HTTP to registries: one SocketsHttpHandler-backed HttpClient, the auth dance of
/// token.md#how-to-authenticate (401 challenge → Basic credentials or a Bearer token per scope,
/// cached until it expires), and responses classified into <see cref="DistributionException"/>.
/// Pull and push (<see cref="Pull.ImagePuller"/>, <see cref="Push.ImagePusher"/>) are built on it.
/// </summary>
public sealed partial class RegistryClient : IDisposable
{
    private readonly HttpClient _http;

    public RegistryClient(RegistryClientOptions? options = null)
    {
        Options = options ?? new RegistryClientOptions();
        Hosts = new RegistryHosts(Options);
        Credentials = Options.Credentials ?? new DockerConfigCredentials();
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
            // Blob GETs are redirected to storage (S3, a CDN); HttpClient drops Authorization on redirect, as it must.
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 10,
        };
        if (Options.TrustedCertificates.Count > 0)
        {
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = ValidateWithTrusted };
        }
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(Options.UserAgent);
    }

    /// <summary>The options this client runs with.</summary>
    public RegistryClientOptions Options { get; }

    /// <summary>Domain → endpoints.</summary>
    public RegistryHosts Hosts { get; }

    /// <summary>Where credentials come from.</summary>
    public ICredentialProvider Credentials { get; }

    /// <summary>
    /// Sends the request <paramref name="build"/> makes (called again for the retry after a 401)
    /// with credentials for <paramref name="actions"/> ("pull" or "pull,push") on
    /// <paramref name="repository"/>. Returns the response whatever its status, except that a 401
    /// surviving authentication becomes <see cref="DistributionErrorKind.Unauthorized"/>.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(RegistryEndpoint endpoint, string repository, string actions, Func<HttpRequestMessage> build, HttpCompletionOption completion = HttpCompletionOption.ResponseHeadersRead, CancellationToken cancellationToken = default)
    {
        var scope = repository.Length == 0 ? null : $"repository:{repository}:{actions}";
        var request = build();
        var sentAuth = await AuthorizationForAsync(endpoint, scope, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = sentAuth;
        var response = await SendRawAsync(request, completion, endpoint, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }
        var challenges = response.Headers.WwwAuthenticate.SelectMany(h => AuthChallenge.Parse(h.ToString())).ToList();
        var challenge = challenges.FirstOrDefault(c => c.IsBearer) ?? challenges.FirstOrDefault(c => c.IsBasic);
        if (challenge is null)
        {
            throw await ErrorAsync(response, $"{endpoint.Domain}/{repository}: unauthorized and no usable WWW-Authenticate challenge", cancellationToken).ConfigureAwait(false);
        }
        RememberChallenge(endpoint, challenge);
        var auth = await AuthorizationForAsync(endpoint, MergeScope(scope, challenge["scope"]), cancellationToken, forceRefresh: sentAuth is not null).ConfigureAwait(false);
        if (auth is null || (sentAuth is not null && auth.ToString() == sentAuth.ToString() && challenge.IsBasic))
        {
            var credentialsKnown = await Credentials.GetAsync(endpoint.Domain, cancellationToken).ConfigureAwait(false) is not null;
            var hint = credentialsKnown ? "the credentials were refused" : $"log in to {endpoint.Domain} first";
            throw await ErrorAsync(response, $"{endpoint.Domain}/{repository}: unauthorized: {hint}", cancellationToken).ConfigureAwait(false);
        }
        response.Dispose();
        var retry = build();
        retry.Headers.Authorization = auth;
        response = await SendRawAsync(retry, completion, endpoint, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            throw await ErrorAsync(response, $"{endpoint.Domain}/{repository}: unauthorized: the registry refused the {challenge.Scheme} credentials for {scope ?? "this request"}", cancellationToken).ConfigureAwait(false);
        }
        return response;
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, HttpCompletionOption completion, RegistryEndpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new DistributionException(DistributionErrorKind.Unavailable, $"cannot reach registry {endpoint.BaseUri}: {e.Message}" + (e.InnerException is { } i ? " (" + i.Message + ")" : ""), null, null, e);
        }
        finally
        {
            request.Dispose();
        }
    }

    /// <summary>
    /// Turns an error response into an exception: kind from the status, message with the registry's
    /// {"errors":[{code,message,detail}]} (spec.md#error-codes). Disposes the response.
    /// </summary>
    public static async Task<DistributionException> ErrorAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken = default)
    {
        using (response)
        {
            var status = (int)response.StatusCode;
            var codes = new List<string>();
            var details = new List<string>();
            try
            {
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                if (body.Length > 0 && body.Length < 1 << 20)
                {
                    using var doc = JsonDocument.Parse(body);
                    if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var e in errors.EnumerateArray())
                        {
                            var code = e.TryGetProperty("code", out var c) ? c.GetString() ?? "" : "";
                            var message = e.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
                            codes.Add(code);
                            details.Add(e.TryGetProperty("detail", out var d) && d.ValueKind != JsonValueKind.Null ? $"{code}: {message} ({d})" : $"{code}: {message}");
                        }
                    }
                }
            }
            catch (JsonException)
            {
                // Not the spec's JSON (a proxy's HTML page): the status alone has to do.
            }
            catch (HttpRequestException)
            {
            }
            var kind = response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => DistributionErrorKind.Unauthorized,
                HttpStatusCode.Forbidden => DistributionErrorKind.Denied,
                HttpStatusCode.NotFound => DistributionErrorKind.NotFound,
                HttpStatusCode.TooManyRequests => DistributionErrorKind.TooManyRequests,
                >= HttpStatusCode.InternalServerError => DistributionErrorKind.Unavailable,
                HttpStatusCode.BadRequest when codes.Contains("DIGEST_INVALID") => DistributionErrorKind.DigestMismatch,
                >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError => DistributionErrorKind.InvalidArgument,
                _ => DistributionErrorKind.InvalidResponse,
            };
            var text = $"{what}: {status} {response.ReasonPhrase}" + (details.Count > 0 ? ": " + string.Join("; ", details) : "");
            return new DistributionException(kind, text, codes, status);
        }
    }

    private bool ValidateWithTrusted(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }
        // Build the chain again with the configured authorities as the only custom roots.
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.CustomTrustStore.AddRange(Options.TrustedCertificates);
        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }

    public void Dispose() => _http.Dispose();
}
