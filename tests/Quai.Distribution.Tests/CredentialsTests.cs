using System.Text;
using Quai.Distribution.Auth;
using Quai.Testing;

namespace Quai.Distribution.Tests;

public class CredentialsTests
{
    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    [Fact]
    public async Task ReadsAuthsForDockerHubAndOtherRegistries()
    {
        using var dir = new TempDir("quai-docker-config");
        await File.WriteAllTextAsync(dir.Combine("config.json"), $$"""
            {"auths": {
              "https://index.docker.io/v1/": {"auth": "{{B64("hubuser:hubpass")}}"},
              "registry.example.com:5000": {"auth": "{{B64("me:p:with:colons")}}"},
              "https://ghcr.io": {"auth": "{{B64("x:y")}}", "identitytoken": "refresh-123"}
            } }
            """);
        var creds = new DockerConfigCredentials(dir.Path);
        Assert.Equal(new RegistryCredentials("hubuser", "hubpass"), await creds.GetAsync("docker.io"));
        Assert.Equal(new RegistryCredentials("me", "p:with:colons"), await creds.GetAsync("registry.example.com:5000"));
        Assert.Equal("refresh-123", (await creds.GetAsync("ghcr.io"))!.IdentityToken);
        Assert.Null(await creds.GetAsync("quay.io"));
    }

    [Fact]
    public async Task MissingConfigMeansAnonymous()
    {
        using var dir = new TempDir("quai-docker-config");
        Assert.Null(await new DockerConfigCredentials(dir.Path).GetAsync("docker.io"));
    }

    [Fact]
    public async Task CredentialHelpersAreRunWithTheServerUrlOnStdin()
    {
        using var dir = new TempDir("quai-docker-config");
        var helper = dir.Combine("docker-credential-fake");
        // The fake helper answers for the server URL it reads, as docker-credential-helpers do.
        await File.WriteAllTextAsync(helper, """
            #!/bin/sh
            read url
            case "$url" in
              https://index.docker.io/v1/) echo '{"ServerURL":"'$url'","Username":"store-user","Secret":"store-secret"}' ;;
              tokens.example) echo '{"ServerURL":"'$url'","Username":"<token>","Secret":"id-token"}' ;;
              *) echo "credentials not found in native keychain"; exit 1 ;;
            esac
            """);
        File.SetUnixFileMode(helper, (UnixFileMode)0x1ED);
        await File.WriteAllTextAsync(dir.Combine("config.json"), """
            {"credsStore": "fake", "credHelpers": {"tokens.example": "fake"}, "auths": {"other.example": {"auth": "dTpw"}}}
            """);
        var creds = new DockerConfigCredentials(dir.Path, dir.Path);
        Assert.Equal(new RegistryCredentials("store-user", "store-secret"), await creds.GetAsync("docker.io"));
        Assert.Equal("id-token", (await creds.GetAsync("tokens.example"))!.IdentityToken);
        Assert.Null(await creds.GetAsync("unknown.example"));
    }

    [Fact]
    public async Task AMissingHelperIsAnErrorNamingIt()
    {
        using var dir = new TempDir("quai-docker-config");
        await File.WriteAllTextAsync(dir.Combine("config.json"), """{"credsStore": "does-not-exist"}""");
        var e = await Assert.ThrowsAsync<DistributionException>(() => new DockerConfigCredentials(dir.Path, dir.Path).GetAsync("docker.io"));
        Assert.Contains("docker-credential-does-not-exist", e.Message);
    }

    [Fact]
    public async Task DockerConfigEnvironmentVariableMovesTheConfig()
    {
        // Only this class reads DOCKER_CONFIG, and xunit runs a class's tests one at a time.
        using var dir = new TempDir("quai-docker-config");
        await File.WriteAllTextAsync(dir.Combine("config.json"), $$"""{"auths": {"env.example": {"auth": "{{B64("env:pw")}}"} } }""");
        var previous = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        Environment.SetEnvironmentVariable("DOCKER_CONFIG", dir.Path);
        try
        {
            Assert.Equal(new RegistryCredentials("env", "pw"), await new DockerConfigCredentials().GetAsync("env.example"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", previous);
        }
    }
}
