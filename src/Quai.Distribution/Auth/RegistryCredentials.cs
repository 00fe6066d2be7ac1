namespace Quai.Distribution.Auth;

/// <summary>Credentials for one registry: a user and password, or an identity (refresh) token.</summary>
/// <param name="Username">The user name ("&lt;token&gt;" when only an identity token is given).</param>
/// <param name="Password">The password or secret.</param>
/// <param name="IdentityToken">An OAuth2 refresh token (config.json "identitytoken"), used instead of the password.</param>
public sealed record RegistryCredentials(string Username, string Password, string? IdentityToken = null);
