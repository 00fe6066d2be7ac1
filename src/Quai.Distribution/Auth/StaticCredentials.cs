namespace Quai.Distribution.Auth;

/// <summary>Credentials given directly, per domain (e.g. from an API request's X-Registry-Auth).</summary>
public sealed class StaticCredentials : ICredentialProvider
{
    private readonly Dictionary<string, RegistryCredentials> _byDomain;

    public StaticCredentials(Dictionary<string, RegistryCredentials> byDomain) => _byDomain = byDomain;

    public Task<RegistryCredentials?> GetAsync(string domain, CancellationToken cancellationToken = default) =>
        Task.FromResult(_byDomain.TryGetValue(domain, out var c) ? c : null);
}
