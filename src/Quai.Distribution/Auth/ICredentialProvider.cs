namespace Quai.Distribution.Auth;

/// <summary>Finds the credentials for a registry domain.</summary>
public interface ICredentialProvider
{
    /// <summary>The credentials for <paramref name="domain"/> ("docker.io", "localhost:5000"), or null for anonymous access.</summary>
    Task<RegistryCredentials?> GetAsync(string domain, CancellationToken cancellationToken = default);
}
